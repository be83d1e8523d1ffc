import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { validateEvent } from '@faultline/testkit';
import {
  addBreadcrumb,
  captureException,
  captureMessage,
  getCurrentScope,
  getIsolationScope,
  serializeEnvelope,
  setContext,
  setExtra,
  setTag,
  setUser,
  withScope,
} from '@faultline/core';
import { anythingOptions, revokedProxy, throwingProxy } from './helpers/hostile';
import { initTestClient } from './helpers/test-client';

// The public API given anything at all: nothing throws out of it, and every event it sends is
// valid and under 1 MiB. (packages/node/test/scenarios/hostile-input runs the list of
// extreme values against the real Node SDK in a child process.)

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

const MAX_EVENT_BYTES = 1024 * 1024;
// fast-check itself cannot hold Proxies: these are picked inside the property, by index.
const specials: Array<() => unknown> = [revokedProxy, () => throwingProxy, () => Symbol('s'), () => 10n, () => NaN, () => new Date(NaN)];

const setters: Record<string, (value: unknown) => void> = {
  setExtra: (value) => setExtra('value', value),
  setContext: (value) => setContext('value', value as never),
  setTag: (value) => setTag('value', value),
  setUser: (value) => setUser(value as never),
  addBreadcrumb: (value) => addBreadcrumb({ category: 'test', data: value as never }),
};

// The CDN bundle's client runs without the full pipeline (./full-pipeline.ts): the lighter pass over
// events (event-bounds.ts) and size policy must hold the same line.
const pipelines = [
  ['the npm packages', {}, ['backpressure']],
  ['the CDN bundle', { validateOptions: undefined, cleanEvent: undefined, fitEvent: undefined, exoticValue: undefined, objectMessage: undefined }, ['backpressure', 'send_error']],
] as const;

describe.each(pipelines)('the API given any value, in %s', (_, pipeline, reasons) => {
  it('throws nothing, makes an exception event of every thrown value, and every event is valid and bounded', async () => {
    const sent = initTestClient({ ...pipeline, maxBreadcrumbs: 5, transportOptions: { bufferSize: 1000 } });
    let captures = 0;
    fc.assert(
      fc.property(fc.anything(anythingOptions), fc.nat(specials.length * 2), fc.constantFrom(...Object.keys(setters)), (generated, pick, setter) => {
        const value = pick < specials.length ? specials[pick]!() : generated;
        getIsolationScope().clear();
        setters[setter]!(value);
        captureException(value);
        captureMessage(value as string);
        captureException(new Error(`after ${setter} ${captures}`));
        captures++;
      }),
      { numRuns: 150 },
    );
    await sent.client.flush(10_000);

    const events = sent.events();
    // The repeats storm control holds back are counted (and, without the full pipeline, events
    // over the size limit); everything else arrived.
    const discarded = sent.clientReports().flatMap((report) => report.discarded_events);
    expect(discarded.every((d) => (reasons as readonly string[]).includes(d.reason))).toBe(true);
    expect(events.length + discarded.reduce((sum, d) => sum + d.quantity, 0)).toBe(captures * 3);
    for (const event of events) {
      expect(validateEvent(event as never)).toEqual([]);
      const size = serializeEnvelope([{}, [[{ type: 'event' }, event]]]).length;
      expect(size).toBeLessThan(MAX_EVENT_BYTES);
    }
    const afterSetter = events.filter((event) => /^after /.test(String(event.exception?.values.at(-1)?.value)));
    expect(afterSetter.length).toBeGreaterThan(0);
  });

});

describe('the API given hostile hooks', () => {
  it('keeps working after hooks that throw: the event is dropped and counted, the breadcrumb kept', async () => {
    const sent = initTestClient({
      beforeSend: () => {
        throw new Error('beforeSend says no');
      },
      beforeBreadcrumb: () => {
        throw new Error('beforeBreadcrumb says no');
      },
    });
    addBreadcrumb({ message: 'kept as it was' });
    expect(() => captureException(new Error('dropped'))).not.toThrow();
    await sent.client.flush(1000);
    expect(sent.events()).toEqual([]);
    expect(sent.clientReports().flatMap((report) => report.discarded_events)).toEqual([{ reason: 'before_send', category: 'error', quantity: 1 }]);
    expect(getIsolationScope().getLastBreadcrumb()).toMatchObject({ message: 'kept as it was' });
  });

  it('lets the app’s own error out of withScope unchanged, and the scope is whole afterwards', async () => {
    const sent = initTestClient();
    const own = new RangeError('the app’s own');
    let caught: unknown;
    try {
      withScope((scope) => {
        scope.setTag('inside', 'yes');
        throw own;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(own);
    captureException(new Error('after'));
    await sent.client.flush(1000);
    expect(sent.events()[0]!.tags?.inside).toBeUndefined();
  });
});
