import { afterEach, describe, expect, it } from 'vitest';
import { captureException, captureMessage, getCurrentScope } from '@faultline/core';
import { createStormGuard, stormKey } from '../src/storm';
import { initTestClient } from './helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

describe('createStormGuard', () => {
  it('allows the budget per key and window, then again in the next window', () => {
    const guard = createStormGuard({ budget: 2, windowMs: 1000 });
    expect([guard.allow('a', 0), guard.allow('a', 10), guard.allow('a', 20), guard.allow('b', 20)]).toEqual([true, true, false, true]);
    expect(guard.allow('a', 1000)).toBe(true);
  });

  it('tracks a bounded number of keys', () => {
    const guard = createStormGuard({ budget: 1, maxKeys: 2 });
    guard.allow('a', 0);
    guard.allow('b', 0);
    guard.allow('c', 0); // forgets "a"
    expect(guard.allow('a', 1)).toBe(true);
    expect(guard.allow('c', 1)).toBe(false);
  });
});

describe('stormKey', () => {
  it('keys errors by type and message, strings by text, and never throws', () => {
    expect(stormKey(new TypeError('x'), 'exception')).toBe('error:TypeError:x');
    expect(stormKey('boom', 'message')).toBe('message:boom');
    expect(stormKey({ a: 1 }, 'exception')).toBeUndefined();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(stormKey(proxy, 'exception')).toBeUndefined();
  });
});

describe('a storm of captures', () => {
  it('sends a few of each repeated error, counts every other one, and never hides a different error', async () => {
    const sent = initTestClient();
    for (let i = 0; i < 5000; i++) {
      captureException(new Error(`flaky ${i % 5}`));
      if (i === 4000) captureMessage('a different problem', 'warning');
    }
    await sent.client.flush(5000);
    const events = sent.events();
    const dropped = sent.clientReports().flatMap((r) => r.discarded_events);
    expect(events.filter((e) => e.logentry?.message === 'a different problem')).toHaveLength(1);
    expect(new Set(events.map((e) => e.exception?.values.at(-1)?.value)).size).toBe(6);
    expect(dropped).toEqual([{ reason: 'backpressure', category: 'error', quantity: 5000 - (events.length - 1) }]);
  });
});

describe('a burst of distinct errors captured in one go', () => {
  it('holds at most 10,000 events waiting for processing; past that, captures are counted as buffer_overflow', async () => {
    const sent = initTestClient({ transportOptions: { bufferSize: 20_000, maxQueueBytes: 512 * 1024 * 1024 } });
    for (let i = 0; i < 10_050; i++) captureException(new Error(`distinct ${i}`));
    await sent.client.flush(30_000);
    const dropped = sent.clientReports().flatMap((r) => r.discarded_events);
    expect(dropped).toEqual([{ reason: 'buffer_overflow', category: 'error', quantity: 50 }]);
    expect(sent.events()).toHaveLength(10_000);
  }, 30_000);
});
