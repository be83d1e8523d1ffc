import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { captureException, close, flushBeforeExitIntegration, init } from '@faultline/node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await close(2000);
  receiver.reset();
});
afterAll(() => receiver.close());

describe('flushBeforeExitIntegration', () => {
  it('flushes when the event loop runs empty, so pending client reports go out too', async () => {
    const proc = new EventEmitter();
    init({
      dsn: receiver.dsn(),
      defaultIntegrations: false,
      integrations: [flushBeforeExitIntegration({}, proc)],
      beforeSend: (event) => (event.exception?.values?.[0]?.value === 'dropped' ? null : event),
    });
    captureException(new Error('dropped'));
    captureException(new Error('sent'));
    await receiver.waitForEvents(1);
    expect(receiver.clientReports()).toEqual([]);
    proc.emit('beforeExit', 0);
    await receiver.waitFor((r) => r.clientReports().length === 1);
    expect(receiver.discarded()).toEqual({ 'before_send:error': 1 });
  });

  it('flushes again only when something was captured since, so the process can end', async () => {
    const proc = new EventEmitter();
    const client = init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [flushBeforeExitIntegration({}, proc)] })!;
    let flushes = 0;
    const flush = client.flush.bind(client);
    client.flush = (timeout) => ((flushes += 1), flush(timeout));
    const loopRunsEmpty = async (): Promise<void> => {
      proc.emit('beforeExit', 0);
      await new Promise((resolve) => setImmediate(resolve));
    };
    await loopRunsEmpty();
    await loopRunsEmpty();
    expect(flushes).toBe(1);
    captureException(new Error('new work'));
    await receiver.waitForEvents(1);
    await loopRunsEmpty();
    await loopRunsEmpty();
    expect(flushes).toBe(2);
  });

  it('removes its listener on close()', async () => {
    const proc = new EventEmitter();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [flushBeforeExitIntegration({}, proc)] });
    expect(proc.listenerCount('beforeExit')).toBe(1);
    await close();
    expect(proc.listenerCount('beforeExit')).toBe(0);
  });
});
