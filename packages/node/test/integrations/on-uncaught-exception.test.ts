import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { close, init, onUncaughtExceptionIntegration, setTag } from '@faultline/node';
import type { HostProcess } from '../../src/integrations/fatal-error';

// The paths that end the process are tested with real processes in test/scenarios; here a fake
// process in which the app always has a listener of its own.

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await close(2000);
  receiver.reset();
});
afterAll(() => receiver.close());

function fakeProcess(): HostProcess & EventEmitter {
  return Object.assign(new EventEmitter(), { execArgv: [], env: {}, emitWarning: () => undefined, stderr: { write: () => true } });
}

describe('onUncaughtExceptionIntegration', () => {
  it('reports an uncaught exception as fatal and unhandled, and leaves it to the app listener', async () => {
    const proc = fakeProcess();
    const seenByApp: unknown[] = [];
    proc.on('uncaughtException', (error) => seenByApp.push(error));
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUncaughtExceptionIntegration({}, proc)] });
    setTag('where', 'scope');
    const error = new TypeError('kaboom');
    proc.emit('uncaughtException', error, 'uncaughtException');
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({
      level: 'fatal',
      tags: { where: 'scope' },
      exception: { values: [{ type: 'TypeError', value: 'kaboom', mechanism: { type: 'onuncaughtexception', handled: false } }] },
    });
    expect(seenByApp).toEqual([error]);
    expect(receiver.violations()).toEqual([]);
  });

  it('reports a rejection that Node raised as an uncaught exception with the rejection mechanism', async () => {
    const proc = fakeProcess();
    proc.on('uncaughtException', () => undefined);
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUncaughtExceptionIntegration({}, proc)] });
    proc.emit('uncaughtException', new Error('rejected'), 'unhandledRejection');
    const [event] = await receiver.waitForEvents(1);
    expect(event!.exception!.values![0]!.mechanism).toEqual({ type: 'onunhandledrejection', handled: false });
  });

  it('reports the same error once, also when it is raised again', async () => {
    const proc = fakeProcess();
    proc.on('uncaughtException', () => undefined);
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUncaughtExceptionIntegration({}, proc)] });
    const error = new Error('twice');
    proc.emit('uncaughtException', error, 'uncaughtException');
    proc.emit('uncaughtException', error, 'uncaughtException');
    proc.emit('uncaughtException', new Error('other'), 'uncaughtException');
    await receiver.waitForEvents(2);
    expect(receiver.events().map((e) => e.exception!.values![0]!.value)).toEqual(['twice', 'other']);
  });

  it('removes its listener on close()', async () => {
    const proc = fakeProcess();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUncaughtExceptionIntegration({}, proc)] });
    expect(proc.listenerCount('uncaughtException')).toBe(1);
    await close();
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });
});
