import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const script = (name: string): string => join(__dirname, name);

/**
 * Above the stack Node prints the source line of the last `throw`; the SDK hands the error back to
 * Node from a line marked so that Node leaves that block out rather than point at SDK code.
 */
const withoutSourceLine = (stderr: string): string => stderr.replace(/^\n?\S+:\d+\n.*\n *\^+\n\n?/, '');

describe('an uncaught exception', () => {
  it('is delivered as fatal and unhandled, then the process exits 1 with the error printed as Node prints it', async () => {
    const node = await runNode(script('crash.cjs'));
    const run = await runNode(script('crash.cjs'), { env: { WITH_FAULTLINE: '1', FAULTLINE_DSN: receiver.dsn(21) } });
    expect(node.code).toBe(1);
    expect(run.code).toBe(1);
    expect(node.stderr).toMatch(/^\S+crash\.cjs:5\n {2}throw new Error\('unrecoverable'\);\n {2}\^\n\nError: unrecoverable\n {4}at Immediate\.explode /);
    expect(run.stderr).toBe(withoutSourceLine(node.stderr));
    expect(run.stderr).toMatch(new RegExp(`\\n\\nNode\\.js ${process.version.replace(/\./g, '\\.')}\\n$`));

    const events = receiver.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      level: 'fatal',
      release: 'crash@1.0.0',
      exception: { values: [{ type: 'Error', value: 'unrecoverable', mechanism: { type: 'onuncaughtexception', handled: false } }] },
    });
    const frames = events[0]!.exception!.values![0]!.stacktrace!.frames!;
    expect(frames.at(-1)).toMatchObject({ filename: script('crash.cjs'), function: 'Immediate.explode', lineno: 5, context_line: "  throw new Error('unrecoverable');" });
    expect(receiver.violations()).toEqual([]);
  });

  it('that is not an Error is delivered and printed as Node prints it', async () => {
    const node = await runNode(script('crash-string.cjs'));
    const run = await runNode(script('crash-string.cjs'), { env: { WITH_FAULTLINE: '1', FAULTLINE_DSN: receiver.dsn(22) } });
    expect([node.code, run.code]).toEqual([1, 1]);
    expect(run.stderr).toBe(withoutSourceLine(node.stderr));
    expect(run.stderr).toContain('a string, not an error\n');
    expect(receiver.events()).toHaveLength(1);
    expect(JSON.stringify(receiver.events()[0]!.exception)).toContain('a string, not an error');
    expect(receiver.violations()).toEqual([]);
  });

  it('exits with the code Node exits with, also when the app set process.exitCode before', async () => {
    const node = await runNode(script('exit-code.cjs'));
    const run = await runNode(script('exit-code.cjs'), { env: { WITH_FAULTLINE: '1', FAULTLINE_DSN: receiver.dsn(23) } });
    expect(run.code).toBe(node.code);
    expect(run.stderr).toBe(withoutSourceLine(node.stderr));
    expect(receiver.events()).toHaveLength(1);
  });

  it('that comes while the first one is delivered changes nothing: the first one ends the process', async () => {
    const node = await runNode(script('crash-twice.cjs'));
    const run = await runNode(script('crash-twice.cjs'), { env: { WITH_FAULTLINE: '1', FAULTLINE_DSN: receiver.dsn(25) } });
    expect([node.code, run.code]).toEqual([1, 1]);
    expect(run.stderr).toBe(withoutSourceLine(node.stderr));
    expect(run.stderr).toMatch(/^Error: first\n/);
    expect(receiver.events().map((e) => e.exception!.values![0]!.value)).toEqual(['first']);
  });

  it('ends the process after shutdownTimeout when the server does not answer, keeping the event in the spool', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'faultline-crash-spool-'));
    receiver.respond({ delayMs: 60_000, times: Infinity });
    try {
      const run = await runNode(script('crash-slow-server.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(26), SPOOL_DIR: spoolDir } });
      expect(run).toMatchObject({ code: 1, signal: null });
      expect(run.stderr).toMatch(/^Error: nobody is listening\n {4}at /);
      expect(readdirSync(spoolDir, { recursive: true }).length).toBeGreaterThan(0);
    } finally {
      receiver.clearFaults();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('is only reported when the app has a listener of its own, and the process goes on', async () => {
    const run = await runNode(script('app-listener.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(24) } });
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'app handled uncaughtException: survivable\nstill running\n' });
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.events()[0]).toMatchObject({
      level: 'fatal',
      exception: { values: [{ value: 'survivable', mechanism: { type: 'onuncaughtexception', handled: false } }] },
    });
    expect(receiver.violations()).toEqual([]);
  });
});
