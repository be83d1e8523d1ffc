import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { close, init, onUnhandledRejectionIntegration } from '@faultline/node';
import type { HostProcess } from '../../src/integrations/fatal-error';
import { unhandledRejectionsMode } from '../../src/integrations/on-unhandled-rejection';

// What ends or keeps the process is tested with real processes in test/scenarios; here a fake
// process, in modes where nothing is raised again.

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await close(2000);
  receiver.reset();
});
afterAll(() => receiver.close());

function fakeProcess(execArgv: string[] = [], env: Record<string, string> = {}) {
  const warnings: string[] = [];
  const proc = Object.assign(new EventEmitter(), {
    execArgv,
    env,
    emitWarning: (warning: string, type?: string) => void warnings.push(`${type}: ${warning}`),
    stderr: { write: () => true },
  });
  return { proc: proc as HostProcess & EventEmitter, warnings };
}

describe('onUnhandledRejectionIntegration', () => {
  it('reports the reason as an unhandled error and leaves it to the app listener', async () => {
    const { proc, warnings } = fakeProcess();
    const seenByApp: unknown[] = [];
    proc.on('unhandledRejection', (reason) => seenByApp.push(reason));
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({}, proc)] });
    const reason = new RangeError('nope');
    proc.emit('unhandledRejection', reason, Promise.resolve());
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({
      level: 'error',
      exception: { values: [{ type: 'RangeError', value: 'nope', mechanism: { type: 'onunhandledrejection', handled: false } }] },
    });
    expect(seenByApp).toEqual([reason]);
    expect(warnings).toEqual([]);
    expect(receiver.violations()).toEqual([]);
  });

  it('reports any reason, also one that is not an error', async () => {
    const { proc } = fakeProcess();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({ mode: 'none' }, proc)] });
    proc.emit('unhandledRejection', 'just a string', Promise.resolve());
    proc.emit('unhandledRejection', null, Promise.resolve());
    await receiver.waitForEvents(2);
    expect(receiver.events().every((e) => e.exception!.values![0]!.mechanism!.type === 'onunhandledrejection')).toBe(true);
    expect(receiver.violations()).toEqual([]);
  });

  it("prints Node's warning in mode 'warn', unless Node runs in warn mode and prints it itself", async () => {
    const { proc, warnings } = fakeProcess();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({ mode: 'warn' }, proc)] });
    proc.emit('unhandledRejection', new Error('warned'), Promise.resolve());
    await receiver.waitForEvents(1);
    expect(warnings).toEqual([
      expect.stringMatching(/^UnhandledPromiseRejectionWarning: Error: warned\n {4}at /),
      expect.stringMatching(/^UnhandledPromiseRejectionWarning: Unhandled promise rejection\./),
    ]);

    const node = fakeProcess(['--unhandled-rejections=warn']);
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({ mode: 'warn' }, node.proc)] });
    node.proc.emit('unhandledRejection', new Error('node warns'), Promise.resolve());
    await receiver.waitForEvents(2);
    expect(node.warnings).toEqual([]);
  });

  it("only reports when Node's own mode does its part whether or not anyone listens", async () => {
    for (const mode of ['warn', 'none', 'strict']) {
      const { proc, warnings } = fakeProcess([`--unhandled-rejections=${mode}`]);
      init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({}, proc)] });
      proc.emit('unhandledRejection', new Error(mode), Promise.resolve());
      expect(warnings).toEqual([]);
      expect(proc.listenerCount('unhandledRejection')).toBe(1);
    }
    await receiver.waitForEvents(3);
  });

  it('removes its listener on close()', async () => {
    const { proc } = fakeProcess();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [onUnhandledRejectionIntegration({}, proc)] });
    await close();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });
});

describe('unhandledRejectionsMode', () => {
  it("is Node's default, throw, without flags", () => {
    expect(unhandledRejectionsMode({ execArgv: [], env: {} })).toBe('throw');
  });

  it('reads the flag from the command line and NODE_OPTIONS, the command line winning', () => {
    expect(unhandledRejectionsMode({ execArgv: ['--unhandled-rejections=warn'], env: {} })).toBe('warn');
    expect(unhandledRejectionsMode({ execArgv: ['--unhandled-rejections', 'none'], env: {} })).toBe('none');
    expect(unhandledRejectionsMode({ execArgv: [], env: { NODE_OPTIONS: '--max-old-space-size=100 --unhandled-rejections=strict' } })).toBe('strict');
    expect(unhandledRejectionsMode({ execArgv: ['--unhandled-rejections=warn-with-error-code'], env: { NODE_OPTIONS: '--unhandled-rejections=none' } })).toBe(
      'warn-with-error-code',
    );
  });

  it('falls back to throw for a value Node would not accept', () => {
    expect(unhandledRejectionsMode({ execArgv: ['--unhandled-rejections=loud'], env: {} })).toBe('throw');
  });
});
