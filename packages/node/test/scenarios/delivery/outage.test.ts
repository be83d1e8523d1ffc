import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
afterEach(async () => {
  await receiver.up();
  receiver.reset();
  rmSync(dirname(spoolDir), { recursive: true, force: true });
});

const script = (name: string): string => join(__dirname, name);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const value = (event: SentryEvent): string | undefined => event.exception?.values?.at(-1)?.value;
const files = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

function env(projectId: number): Record<string, string> {
  spoolDir = join(mkdtempSync(join(tmpdir(), 'faultline-outage-')), 'spool');
  return { FAULTLINE_DSN: receiver.dsn(projectId), SPOOL_DIR: spoolDir };
}

describe('a server outage', () => {
  it('loses none of the 30 errors captured during 3 s of it: all arrive after, once each, in order', async () => {
    await receiver.down();
    const run = runNode(script('outage.cjs'), { env: env(41), killAfterMs: 30_000 });
    await sleep(3_000);
    await receiver.up();
    expect(await run).toMatchObject({ code: 0, stderr: '' });

    const expected = Array.from({ length: 30 }, (_, i) => `during the outage ${i}`);
    expect(receiver.events().map(value)).toEqual(expected);
    expect(receiver.discarded()).toEqual({});
    expect(receiver.violations()).toEqual([]);
    expect(files(spoolDir)).toEqual([]);
  });

  it('loses none of 20 errors and the crash that ends the app: the restarted app sends them, once each', async () => {
    await receiver.down();
    const environment = env(42);
    const crashed = await runNode(script('crash.cjs'), { env: environment });
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toMatch(/^Error: the crash\n/);
    // Written before the process ended: the 20 errors and the crash.
    expect(files(spoolDir).filter((name) => name.endsWith('.env'))).toHaveLength(21);

    await receiver.up();
    const restarted = await runNode(script('restart.cjs'), { env: environment });
    expect(restarted).toMatchObject({ code: 0, stdout: 'delivered\n', stderr: '' });

    const events = receiver.events();
    expect(events.map(value).sort()).toEqual([...Array.from({ length: 20 }, (_, i) => `before the crash ${i}`), 'the crash'].sort());
    expect(new Set(events.map((event) => event.event_id)).size).toBe(21);
    expect(events.find((event) => value(event) === 'the crash')).toMatchObject({
      level: 'fatal',
      exception: { values: [{ mechanism: { type: 'onuncaughtexception', handled: false } }] },
    });
    expect(receiver.violations()).toEqual([]);
    expect(files(spoolDir)).toEqual([]);
  });

  it('is not needed for a crash the server got during shutdown: nothing stays spooled, nothing is sent twice', async () => {
    const environment = { ...env(43), ERRORS: '0' };
    const crashed = await runNode(script('crash.cjs'), { env: environment });
    expect(crashed.code).toBe(1);
    expect(receiver.events().map(value)).toEqual(['the crash']);
    expect(files(spoolDir).filter((name) => !name.endsWith('.tmp'))).toEqual([]);

    const restarted = await runNode(script('restart.cjs'), { env: environment });
    expect(restarted).toMatchObject({ code: 0, stderr: '' });
    expect(receiver.events().map(value)).toEqual(['the crash']);
  });
});
