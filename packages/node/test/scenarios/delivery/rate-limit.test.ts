import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
let spoolDir: string;
beforeAll(async () => {
  receiver = await startReceiver();
  spoolDir = join(mkdtempSync(join(tmpdir(), 'faultline-rate-limit-')), 'spool');
});
afterAll(async () => {
  await receiver.close();
  rmSync(dirname(spoolDir), { recursive: true, force: true });
});

describe('a rate limit', () => {
  it('holds back every error inside its 4 s window, counts the 11 dropped, and lets sending resume after', async () => {
    receiver.respond({ status: 429, headers: { 'X-Sentry-Rate-Limits': '4:error:organization' } });
    const run = await runNode(join(__dirname, 'rate-limit.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(61), SPOOL_DIR: spoolDir } });
    expect(run).toMatchObject({ code: 0, stderr: '' });

    const limited = receiver.requests().find((request) => request.status === 429)!;
    expect(limited).toBeDefined();
    const withEvents = receiver.envelopes().filter((envelope) => envelope.items.some((item) => item.header.type === 'event'));
    // Only the error captured after the window arrived, and not before the window ended.
    expect(withEvents).toHaveLength(1);
    expect(withEvents[0]!.receivedAt).toBeGreaterThanOrEqual(limited.receivedAt + 4_000);
    expect(receiver.events().map((event) => event.exception?.values?.at(-1)?.value)).toEqual(['after the window']);
    // The server counts what it answered 429 to; the client reports the 11 it held back.
    expect(receiver.discarded()).toEqual({ 'ratelimit_backoff:error': 11 });
    expect(receiver.violations()).toEqual([]);
  });
});
