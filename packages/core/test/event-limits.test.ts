import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../src/event-limits';
import { jsonSize } from '../src/normalize';
import type { Event } from '../src/types';
import { anythingOptions, revokedProxy, throwingProxy, deepObject, wideObject } from './helpers/hostile';
import { schemaErrors } from './helpers/schema';

function baseEvent(extra: Partial<Event> = {}): Event {
  return {
    event_id: 'a'.repeat(32),
    timestamp: 1_700_000_000.5,
    platform: 'node',
    level: 'error',
    exception: {
      values: [
        {
          type: 'Error',
          value: 'boom',
          mechanism: { type: 'generic', handled: true },
          stacktrace: {
            frames: Array.from({ length: 50 }, (_, i) => ({
              filename: `/app/src/f${i}.js`,
              function: `f${i}`,
              lineno: i + 1,
              colno: 1,
              in_app: true,
              context_line: 'x'.repeat(1000),
              pre_context: ['a'.repeat(1000)],
              vars: { local: 'v'.repeat(1000) },
            })),
          },
        },
      ],
    },
    ...extra,
  };
}

describe('normalizeEvent', () => {
  it('leaves a small valid event as it was', () => {
    const event = baseEvent({ tags: { a: 'b' }, user: { id: '1' }, extra: { n: 1 }, contexts: { os: { name: 'Linux' } } });
    expect(normalizeEvent(event)).toEqual(event);
    expect(schemaErrors(normalizeEvent(event))).toEqual([]);
  });

  it('cleans a frame the same whether it is read by name or walked field by field (a frame with a throwing getter)', () => {
    const frame = {
      filename: 'app.js',
      abs_path: '/srv/app.js',
      function: 'handle',
      module: 'app',
      platform: 'node',
      lineno: 12,
      colno: -1,
      in_app: 'yes',
      context_line: 'throw error;',
      pre_context: ['a', 7, null],
      post_context: 'not a list',
      vars: { token: 'secret-value', n: 1 },
      unknown_field: 'dropped',
    };
    const framesOf = (given: object): unknown =>
      JSON.parse(JSON.stringify(normalizeEvent({ exception: { values: [{ type: 'E', stacktrace: { frames: [given as never] } }] } }))).exception.values[0]
        .stacktrace.frames[0];
    const byName = framesOf(frame);
    expect(byName).toEqual({
      filename: 'app.js',
      abs_path: '/srv/app.js',
      function: 'handle',
      module: 'app',
      platform: 'node',
      lineno: 12,
      context_line: 'throw error;',
      pre_context: ['a', '7'],
      vars: { token: '[Filtered]', n: 1 },
    });
    // A field whose read throws makes the walk take over, which loses that field only.
    const hostile = new Proxy(frame, {
      get(target, key, receiver) {
        if (key === 'module') throw new Error('getter bug');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const { module: _lost, ...rest } = byName as Record<string, unknown>;
    expect(framesOf(hostile)).toEqual(rest);
  });
  it('does not change the event it was given', () => {
    const event = baseEvent({ extra: { big: 'x'.repeat(2_000_000) } });
    const copy = structuredClone(event);
    normalizeEvent(event);
    expect(event).toEqual(copy);
  });

  it('bounds extras, user data and breadcrumb data in depth, and contexts two levels deeper', () => {
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    const out = normalizeEvent({ extra: { deep }, contexts: { app: { deep } }, user: { id: '1', data: { deep } }, breadcrumbs: { values: [{ data: { deep } }] } }, { depth: 3 });
    expect(out.extra).toEqual({ deep: { a: { b: '[Object]' } } });
    expect(out.contexts).toEqual({ app: { deep: { a: { b: { c: '[Object]' } } } } });
    expect(out.user!.data).toEqual({ deep: { a: { b: '[Object]' } } });
    expect(out.breadcrumbs!.values[0]!.data).toEqual({ deep: { a: { b: '[Object]' } } });
  });

  it('makes tags strings of at most 200 characters', () => {
    const out = normalizeEvent({ tags: { n: 1, b: true, long: 'x'.repeat(500), ['k'.repeat(300)]: 'v', gone: undefined } as unknown as Event['tags'] });
    expect(out.tags!.n).toBe('1');
    expect(out.tags!.b).toBe('true');
    expect(out.tags!.long).toHaveLength(200);
    expect(Object.keys(out.tags!).every((key) => key.length <= 200)).toBe(true);
    expect('gone' in out.tags!).toBe(false);
    expect(schemaErrors(out)).toEqual([]);
  });

  it('moves unknown user keys into user.data and makes known ones strings', () => {
    const out = normalizeEvent({ user: { id: 42, email: 'a@b.c', plan: 'pro', geo: { city: 'X' } } as unknown as Event['user'] });
    expect(out.user).toEqual({ id: '42', email: 'a@b.c', data: { plan: 'pro', geo: { city: 'X' } } });
    expect(schemaErrors(out)).toEqual([]);
  });

  it('drops fields and keys the schema does not allow, keeping the event valid', () => {
    const event = {
      ...baseEvent(),
      message: 'legacy message',
      unknownTopLevel: 1,
      level: 'loud',
      breadcrumbs: { values: [{ message: 'hi', level: 'nope', junk: 1, timestamp: 1 }, 'not a crumb'] },
      contexts: { runtime: 'node', list: [1, 2] },
      request: { url: 'https://x', headers: { a: 1, b: null }, custom: true },
      extra: [1, 2],
      fingerprint: ['{{ default }}', 42],
    } as unknown as Event;
    const out = normalizeEvent(event);
    expect(schemaErrors(out)).toEqual([]);
    expect(out.logentry).toEqual({ message: 'legacy message' });
    expect(out.level).toBeUndefined();
    expect(out.breadcrumbs).toEqual({ values: [{ message: 'hi', timestamp: 1 }] });
    expect(out.contexts).toEqual({ runtime: { value: 'node' }, list: { value: [1, 2] } });
    expect(out.request).toEqual({ url: 'https://x', headers: { a: '1' } });
    expect(out.fingerprint).toEqual(['{{ default }}', '42']);
  });

  it('survives hostile values anywhere in the event', () => {
    const getterBomb = {
      get id(): string {
        throw new Error('no');
      },
    };
    const event = {
      ...baseEvent(),
      user: getterBomb,
      extra: throwingProxy,
      contexts: revokedProxy(),
      tags: revokedProxy(),
      breadcrumbs: revokedProxy(),
      request: { data: throwingProxy, headers: throwingProxy },
    } as unknown as Event;
    const out = normalizeEvent(event);
    expect(schemaErrors(out)).toEqual([]);
    expect(out.exception!.values[0]!.value).toBe('boom');
  });

  it('fits a 12 MB string in extra under the limit, keeping the exception', () => {
    const out = normalizeEvent(baseEvent({ extra: { blob: 'x'.repeat(12 * 1024 * 1024), small: 1 } }), { maxBytes: 1_000_000 });
    expect(jsonSize(out)).toBeLessThanOrEqual(1_000_000);
    expect(out.extra!.small).toBe(1);
    expect(out.exception!.values[0]!.stacktrace!.frames).toHaveLength(50);
    expect(schemaErrors(out)).toEqual([]);
  });

  it('fits extras of 200,000 keys and 20,000 levels under the limit', () => {
    const event = baseEvent({ extra: { wide: wideObject(200_000), deep: deepObject(20_000) } });
    const out = normalizeEvent(event, { depth: 100, maxBytes: 100_000 });
    expect(jsonSize(out)).toBeLessThanOrEqual(100_000);
    expect(schemaErrors(out)).toEqual([]);
  });

  it('gives up the oldest breadcrumbs before contexts', () => {
    const breadcrumbs = Array.from({ length: 100 }, (_, i) => ({ message: `crumb ${i}`, data: { pad: 'p'.repeat(10_000) } }));
    const out = normalizeEvent(baseEvent({ breadcrumbs: { values: breadcrumbs }, contexts: { os: { name: 'Linux' } } }), { maxBytes: 500_000 });
    expect(jsonSize(out)).toBeLessThanOrEqual(500_000);
    const kept = out.breadcrumbs!.values;
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(100);
    expect(kept[kept.length - 1]!.message).toBe('crumb 99');
    expect(out.contexts).toEqual({ os: { name: 'Linux' } });
  });

  it('gives up frame context and then middle frames only when everything else is gone', () => {
    const out = normalizeEvent(baseEvent({ extra: { a: 'x'.repeat(50_000) } }), { maxBytes: 20_000 });
    expect(jsonSize(out)).toBeLessThanOrEqual(20_000);
    expect(out.extra).toBeUndefined();
    const frames = out.exception!.values[0]!.stacktrace!.frames;
    expect(frames.every((frame) => frame.context_line === undefined && frame.vars === undefined)).toBe(true);
    // Both ends stay: the outermost caller and the throw site.
    expect(frames[0]!.function).toBe('f0');
    expect(frames[frames.length - 1]!.function).toBe('f49');
    expect(out.exception!.values[0]).toMatchObject({ type: 'Error', value: 'boom' });
  });

  it('keeps the thrown exception type and value under a tiny limit', () => {
    const event = baseEvent({ logentry: { message: 'm'.repeat(10_000) } });
    event.exception!.values.unshift({ type: 'Cause', value: 'c'.repeat(8000) });
    const out = normalizeEvent(event, { maxBytes: 2_000 });
    expect(jsonSize(out)).toBeLessThanOrEqual(2_000);
    expect(out.exception!.values.at(-1)).toMatchObject({ type: 'Error', value: 'boom' });
    expect(schemaErrors(out)).toEqual([]);
  });

  it('truncates messages and exception values to maxValueLength', () => {
    const event = baseEvent({ logentry: { message: 'm'.repeat(100) } });
    event.exception!.values[0]!.value = 'v'.repeat(100);
    const out = normalizeEvent(event, { maxValueLength: 20 });
    expect(out.logentry!.message).toBe(`${'m'.repeat(20)}...`);
    expect(out.exception!.values[0]!.value).toBe(`${'v'.repeat(20)}...`);
  });

  it('is valid and under the limit for any values in its free-form fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          extra: fc.anything(anythingOptions),
          contexts: fc.dictionary(fc.string(), fc.anything(anythingOptions)),
          user: fc.anything(anythingOptions),
          tags: fc.anything(anythingOptions),
          data: fc.anything(anythingOptions),
          request: fc.anything(anythingOptions),
          fingerprint: fc.array(fc.anything(anythingOptions)),
        }),
        (fields) => {
          const event = {
            ...baseEvent(),
            extra: fields.extra,
            contexts: fields.contexts,
            user: fields.user,
            tags: fields.tags,
            request: fields.request,
            fingerprint: fields.fingerprint,
            breadcrumbs: { values: [{ message: 'm', data: fields.data }] },
          } as unknown as Event;
          const out = normalizeEvent(event, { maxBytes: 50_000 });
          expect(schemaErrors(out)).toEqual([]);
          expect(jsonSize(out)).toBeLessThanOrEqual(50_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});
