import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  captureException,
  captureMessage,
  deferredCodeLoading,
  getCurrentScope,
  getIsolationScope,
  registerDeferredCode,
  type Transport,
} from '@faultline/core';
import { transportWhenLoaded } from '../src/deferred-code';
import { initTestClient } from './helpers/test-client';

// What the ES module builds' loaders do (rollup.config.mjs): register a load, here one the test
// finishes when it wants.
function registerLoad(): { finish(): void; fail(): void; calls: () => number } {
  let calls = 0;
  let finish = (): void => undefined;
  let fail = (): void => undefined;
  registerDeferredCode(() => {
    calls++;
    return new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = () => reject(new Error('deferred.mjs is gone'));
    });
  });
  return { finish: () => finish(), fail: () => fail(), calls: () => calls };
}

function recordingTransport(log: string[], name: string): Transport {
  log.push(`made ${name}`);
  return {
    send: async () => void log.push(`send ${name}`),
    flush: async () => true,
    prepareForExit: () => void log.push(`prepareForExit ${name}`),
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(async () => {
  vi.useRealTimers();
  await getCurrentScope().getClient()?.close(0);
  // Every test leaves its loads done.
  expect(deferredCodeLoading()).toBeUndefined();
});

describe('deferred code', () => {
  it('is loaded when no build registered any (source, CommonJS, browsers): nothing waits', () => {
    const log: string[] = [];
    expect(deferredCodeLoading()).toBeUndefined();
    transportWhenLoaded((name: string) => recordingTransport(log, name))('now');
    expect(log).toEqual(['made now']);
  });

  it('not loaded yet: a capture returns its id at once, and the event is built once the code is there, with the time, scopes and stack of the call', async () => {
    const sent = initTestClient({ attachStacktrace: true, stackParser: (stack) => (stack.includes('atTheCall') ? [{ function: 'atTheCall', filename: 'app.js' }] : []) });
    const load = registerLoad();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    getIsolationScope().setTag('when', 'capture');
    const id = (function atTheCall() {
      return captureMessage('before the load');
    })();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    vi.setSystemTime(2_000_000);
    getIsolationScope().setTag('when', 'later');
    const flushed = sent.client.flush(5000);
    await settle();
    expect(sent.events()).toEqual([]);

    load.finish();
    expect(await flushed).toBe(true);
    expect(load.calls()).toBe(1);
    const [event] = sent.events();
    expect(event).toMatchObject({ event_id: id, timestamp: 1000, tags: { when: 'capture' } });
    expect(event!.exception!.values![0]).toMatchObject({ value: 'before the load', stacktrace: { frames: [{ function: 'atTheCall', filename: 'app.js' }] } });
  });

  it('loads the packages in the order they registered (a package calls into the code of those it builds on), and makes the transport once it is there', async () => {
    const order: string[] = [];
    const core = registerLoad();
    const node = registerLoad();
    const transport = transportWhenLoaded((name: string) => recordingTransport(order, name))('spooling');
    // The process is about to exit before the transport exists: it is made ready for that as soon as it does.
    transport.prepareForExit!();
    const loading = deferredCodeLoading()!;
    expect(deferredCodeLoading()).toBe(loading);
    await settle();
    expect([core.calls(), node.calls()]).toEqual([1, 0]);
    core.finish();
    await settle();
    expect([core.calls(), node.calls()]).toEqual([1, 1]);
    expect(order).toEqual([]);
    node.finish();
    await loading;
    expect(order).toEqual(['made spooling', 'prepareForExit spooling']);
    await transport.send([{}, []]);
    expect(order.at(-1)).toBe('send spooling');
  });

  it('that fails to load drops the event as an internal error, and the next capture tries again', async () => {
    const sent = initTestClient();
    const load = registerLoad();
    captureException(new Error('lost'));
    await settle();
    load.fail();
    await settle();
    captureException(new Error('after the failure'));
    await settle();
    load.finish();
    expect(await sent.client.flush(5000)).toBe(true);
    expect(load.calls()).toBe(2);
    expect(sent.events().map((event) => event.exception?.values?.[0]?.value)).toEqual(['after the failure']);
    expect(sent.clientReports().flatMap((report) => report.discarded_events)).toEqual([{ reason: 'internal_sdk_error', category: 'error', quantity: 1 }]);
  });
});
