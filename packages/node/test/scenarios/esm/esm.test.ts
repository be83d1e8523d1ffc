import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.reset());
afterAll(() => receiver.close());

const script = join(__dirname, 'app.mjs');

describe('an ES module app', () => {
  it('delivers its events with frames named by absolute path, with context lines', async () => {
    const run = await runNode(script, { env: { FAULTLINE_DSN: receiver.dsn(51) } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [event] = receiver.events();
    expect(receiver.events()).toHaveLength(1);
    const lines = readFileSync(script, 'utf8').split('\n');
    const callLine = lines.findIndex((line) => line.includes("parseInput('{ broken')")) + 1;
    const frames = event!.exception!.values!.at(-1)!.stacktrace!.frames!;
    const appFrames = frames.filter((f) => f.in_app);
    expect(appFrames.map((f) => [f.filename, f.function])).toEqual([
      [script, expect.any(String)],
      [script, 'parseInput'],
    ]);
    expect(appFrames[0]).toMatchObject({ lineno: callLine, context_line: lines[callLine - 1], module: 'app' });
    expect(frames.filter((f) => f.filename!.startsWith('node:')).every((f) => f.in_app === false)).toBe(true);
    expect(receiver.violations()).toEqual([]);
  });

  it('reports a crash at the top level and exits 1', async () => {
    const run = await runNode(script, { env: { FAULTLINE_DSN: receiver.dsn(52), CRASH: '1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TypeError: top-level await went wrong\n    at file://');
    await receiver.waitForEvents(2);
    const crash = receiver.events().find((e) => e.level === 'fatal')!;
    expect(crash.exception!.values![0]).toMatchObject({ type: 'TypeError', mechanism: { handled: false } });
    expect(receiver.violations()).toEqual([]);
  });
});
