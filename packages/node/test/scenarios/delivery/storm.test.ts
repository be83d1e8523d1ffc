import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
let spoolDir: string;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
afterEach(() => {
  receiver.reset();
  rmSync(dirname(spoolDir), { recursive: true, force: true });
});

const value = (event: SentryEvent): string | undefined => event.exception?.values?.at(-1)?.value;

function env(projectId: number): Record<string, string> {
  spoolDir = join(mkdtempSync(join(tmpdir(), 'faultline-storm-')), 'spool');
  return { FAULTLINE_DSN: receiver.dsn(projectId), SPOOL_DIR: spoolDir };
}

/** Errors the client reports say were not sent, whatever the reason. */
function countedErrors(): number {
  return Object.entries(receiver.discarded())
    .filter(([key]) => key.endsWith(':error'))
    .reduce((sum, [, quantity]) => sum + quantity, 0);
}

describe('an error storm', () => {
  it('of 100,000 captures of 100 distinct errors delivers all 100, and every capture is sent or counted', async () => {
    const run = await runNode(join(__dirname, 'storm.cjs'), { env: env(51), killAfterMs: 60_000 });
    expect(run).toMatchObject({ code: 0, stdout: 'delivered\n', stderr: '' });

    const events = receiver.events();
    expect(new Set(events.map(value)).size).toBe(100);
    expect(events.length + countedErrors()).toBe(100_000);
    // Repeats are held back, counted as backpressure; nothing else is lost.
    expect(Object.keys(receiver.discarded())).toEqual(['backpressure:error']);
    expect(receiver.violations()).toEqual([]);
  }, 60_000);
});

describe('a burst of 10,000 distinct errors', () => {
  it('delivers at least 99% of them, spilling to the spool, with the heap bounded', async () => {
    const run = await runNode(join(__dirname, 'burst.cjs'), { env: env(52), nodeArgs: ['--expose-gc'], killAfterMs: 90_000 });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { growthMB } = JSON.parse(run.stdout) as { growthMB: number };

    const delivered = new Set(receiver.events().map(value)).size;
    expect(delivered).toBeGreaterThanOrEqual(9_900);
    expect(delivered + countedErrors()).toBe(10_000);
    // What the spool is writing is held in memory up to a few MiB; the rest is on disk.
    expect(growthMB).toBeLessThan(64);
    expect(receiver.violations()).toEqual([]);
  }, 90_000);
});
