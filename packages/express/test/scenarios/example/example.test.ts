import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';

// The example app as the demo runs it: a child process on the built packages.
const example = fileURLToPath(new URL('../../../../../examples/express-app/index.js', import.meta.url));

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('examples/express-app --self-test', () => {
  it('reports the one failing request, shows its support code and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example, '--self-test'], {
      env: { ...process.env, FAULTLINE_DSN: receiver.dsn() },
      timeout: 20_000,
    });
    const events = receiver.events();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.transaction).toBe('GET /orders/:id/total');
    expect(event?.exception?.values?.at(-1)).toMatchObject({ type: 'TypeError', mechanism: { type: 'express', handled: false } });
    expect(event?.user?.id).toBe('u-7');
    expect(stdout).toContain('GET /health -> 200');
    expect(stdout).toContain(`"supportCode":"${event?.event_id}"`);
    expect(stdout).toContain(`X-Faultline-Event-Id: ${event?.event_id}`);
    expect(stdout).toContain('GET /orders/999/total -> 404');
    expect(receiver.violations()).toEqual([]);
  });
});
