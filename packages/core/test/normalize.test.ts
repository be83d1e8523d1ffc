import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSize, normalize, normalizeEvent, truncate } from '../src/normalize';
import type { Event } from '../src/types';
import { schemaErrors } from './helpers/schema';

const anythingOptions = {
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withObjectString: true,
  maxDepth: 4,
};

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('get trap');
    },
    ownKeys() {
      throw new Error('ownKeys trap');
    },
    getPrototypeOf() {
      throw new Error('getPrototypeOf trap');
    },
    has() {
      throw new Error('has trap');
    },
  },
);

function deepObject(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node.child = child;
    node = child;
  }
  return root;
}

function wideObject(keys: number): Record<string, number> {
  const obj: Record<string, number> = {};
  for (let i = 0; i < keys; i++) obj[`key${i}`] = i;
  return obj;
}

describe('normalize', () => {
  it('keeps JSON values as they are', () => {
    expect(normalize({ a: 1, b: 'two', c: [true, null], d: { e: -1.5 } })).toEqual({ a: 1, b: 'two', c: [true, null], d: { e: -1.5 } });
  });

  it('writes values JSON cannot hold as Sentry does', () => {
    function namedFunction(): void {}
    expect(
      normalize({
        undef: undefined,
        nan: NaN,
        inf: Infinity,
        negInf: -Infinity,
        big: 123n,
        sym: Symbol('foo'),
        fn: namedFunction,
        anon: (() => () => {})(),
        date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        invalidDate: new Date('nope'),
        list: [undefined, 1],
      }),
    ).toEqual({
      undef: '[undefined]',
      nan: '[NaN]',
      inf: '[Infinity]',
      negInf: '[-Infinity]',
      big: '[BigInt: 123]',
      sym: '[Symbol(foo)]',
      fn: '[Function: namedFunction]',
      anon: '[Function: <anonymous>]',
      date: '2024-01-02T03:04:05.000Z',
      invalidDate: '[Invalid Date]',
      list: ['[undefined]', 1],
    });
  });

  it('stops at the depth with the type name', () => {
    class Widget {
      size = 1;
    }
    const value = { a: { b: { c: { d: 1 }, list: [1], widget: new Widget() } } };
    expect(normalize(value, 2)).toEqual({ a: { b: '[Object]' } });
    expect(normalize(value, 3)).toEqual({ a: { b: { c: '[Object]', list: '[Array]', widget: '[Widget]' } } });
    expect(normalize(value, 0)).toBe('[Object]');
  });

  it('stops at the breadth with a marker, for objects, arrays, Maps and Sets', () => {
    expect(normalize({ a: 1, b: 2, c: 3 }, 3, 2)).toEqual({ a: 1, b: 2, c: '[MaxProperties ~]' });
    expect(normalize([1, 2, 3], 3, 2)).toEqual([1, 2, '[MaxProperties ~]']);
    expect(normalize(new Set([1, 2, 3]), 3, 2)).toEqual([1, 2, '[MaxProperties ~]']);
    expect(normalize(new Map([['a', 1], ['b', 2], ['c', 3]]), 3, 2)).toEqual({ a: 1, b: 2, c: '[MaxProperties ~]' });
  });

  it('marks circular references but repeats shared ones', () => {
    const shared = { x: 1 };
    const circular: Record<string, unknown> = { shared, again: shared };
    circular.self = circular;
    expect(normalize(circular)).toEqual({ shared: { x: 1 }, again: { x: 1 }, self: '[Circular ~]' });
    const list: unknown[] = [1];
    list.push(list);
    expect(normalize(list)).toEqual([1, '[Circular ~]']);
  });

  it('truncates strings when asked to', () => {
    expect(normalize({ s: 'abcdef', sym: Symbol('abcdef') }, 3, 1000, 3)).toEqual({ s: 'abc...', sym: '[Sy...' });
    expect(normalize('abcdef')).toBe('abcdef');
  });

  it('describes typed arrays and buffers by size without reading them', () => {
    const big = new Uint8Array(3 * 1024 * 1024);
    expect(normalize({ big, buffer: big.buffer, view: new DataView(new ArrayBuffer(4)), node: Buffer.from('abc') })).toEqual({
      big: '[Uint8Array(3145728)]',
      buffer: '[ArrayBuffer(3145728)]',
      view: '[DataView(4)]',
      node: '[Buffer(3)]',
    });
  });

  it('turns Maps into objects with string keys and Sets into arrays', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, { b: true }],
      [{ k: 1 }, 'object key'],
    ]);
    expect(normalize({ map, set: new Set(['x', 1n]) })).toEqual({
      map: { a: 1, 2: { b: true }, '[Object]': 'object key' },
      set: ['x', '[BigInt: 1]'],
    });
  });

  it('turns errors into name, message, stack, cause and their own properties', () => {
    const cause = new TypeError('inner');
    const error = Object.assign(new RangeError('outer', { cause }), { code: 'E_RANGE' });
    const out = normalize(error) as Record<string, unknown>;
    expect(out).toMatchObject({ name: 'RangeError', message: 'outer', code: 'E_RANGE', cause: { name: 'TypeError', message: 'inner' } });
    expect(out.stack).toContain('outer');
  });

  it('uses toJSON, and the object itself when toJSON throws', () => {
    expect(normalize({ money: { toJSON: () => ({ amount: 5 }) } })).toEqual({ money: { amount: 5 } });
    const broken = {
      value: 1,
      toJSON() {
        throw new Error('no');
      },
    };
    expect(normalize(broken)).toEqual({ value: 1, toJSON: '[Function: toJSON]' });
    const selfish = {
      toJSON() {
        return selfish;
      },
    };
    expect(normalize(selfish)).toBe('[Circular ~]');
  });

  it('unboxes boxed primitives', () => {
    // eslint-disable-next-line no-new-wrappers
    expect(normalize([new Number(1), new String('s'), new Boolean(false), Object(1n), Object(Symbol('b'))])).toEqual([
      1,
      's',
      false,
      '[BigInt: 1]',
      '[Symbol(b)]',
    ]);
    const liar = { [Symbol.toStringTag]: 'Number', x: 1 };
    expect(normalize(liar)).toEqual({ x: 1 });
  });

  it('shows platform objects as short strings', () => {
    class HTMLDivElement {
      children = [1, 2, 3];
    }
    class Window {}
    expect(normalize({ el: new HTMLDivElement(), win: new Window(), global: globalThis })).toEqual({
      el: '[HTMLElement: HTMLDivElement]',
      win: '[Window]',
      global: '[Global]',
    });
    expect(normalize({ nativeEvent: {}, preventDefault() {}, stopPropagation() {} })).toBe('[SyntheticEvent]');
  });

  it('survives throwing getters, Proxies, revoked Proxies and null-prototype objects', () => {
    const getters = {
      ok: 1,
      get bad(): unknown {
        throw new Error('getter exploded');
      },
    };
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const out = normalize({ getters, proxy: throwingProxy, revoked: revokedProxy(), nullProto, proxyArray: new Proxy([1, 2], {}) });
    expect(out).toEqual({
      getters: { ok: 1, bad: '[Thrown: getter exploded]' },
      proxy: expect.stringMatching(/^\[Thrown: /),
      revoked: expect.stringMatching(/^\[Thrown: .*revoked/),
      nullProto: { a: 1 },
      proxyArray: [1, 2],
    });
    expect(normalize(revokedProxy())).toMatch(/^\[Thrown: /);
    expect(normalize(Object.create(null), 0)).toBe('[null prototype]');
  });

  it('survives a thrown value whose message is itself hostile', () => {
    const obj = {
      get x(): unknown {
        throw revokedProxy();
      },
    };
    expect(normalize(obj)).toEqual({ x: '[Thrown: unknown error]' });
  });

  it('keeps a __proto__ key as data, not as a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const out = normalize(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it('handles 20,000 levels of nesting, even when asked for unlimited depth', () => {
    const deep = deepObject(20_000);
    expect(JSON.stringify(normalize(deep, 3))).toBe('{"child":{"child":{"child":"[Object]"}}}');
    const unlimited = normalize(deep, Infinity);
    expect(jsonSize(unlimited)).toBeGreaterThan(100 * 10);
  });

  it('handles an object with 200,000 keys', () => {
    const out = normalize(wideObject(200_000)) as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(1001);
    expect(out.key1000).toBe('[MaxProperties ~]');
  });

  it('bounds the total work on wide and deep graphs of shared objects', () => {
    const leaf = wideObject(1000);
    const middle = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m${i}`, leaf]));
    const top = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, middle]));
    const out = normalize(top, 4);
    expect(jsonSize(out)).toBeLessThan(2_000_000);
    expect(JSON.stringify(out)).toContain('[MaxProperties ~]');
  });

  it('never throws and always round-trips through JSON, for any value', () => {
    fc.assert(
      fc.property(fc.anything(anythingOptions), fc.integer({ min: 0, max: 6 }), (value, depth) => {
        const out = normalize(value, depth);
        expect(JSON.parse(JSON.stringify(out))).toEqual(out);
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncate', () => {
  it('cuts to the length and adds an ellipsis, as Sentry does', () => {
    expect(truncate('abcdef', 3)).toBe('abc...');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 0)).toBe('');
  });

  it('does not split a surrogate pair', () => {
    expect(truncate('a😀b', 2)).toBe('a...');
    expect(truncate('a😀b', 3)).toBe('a😀...');
  });
});

describe('jsonSize', () => {
  it('counts UTF-8 bytes of the JSON', () => {
    expect(jsonSize({ a: 1 })).toBe(7);
    expect(jsonSize('é')).toBe(4);
    expect(jsonSize('😀')).toBe(6);
    // A lone surrogate is escaped by JSON.stringify: "\ud800" is 8 bytes.
    expect(jsonSize('\ud800')).toBe(8);
    expect(jsonSize(undefined)).toBe(0);
  });

  it('is Infinity for what JSON cannot serialize', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(jsonSize(circular)).toBe(Infinity);
    expect(jsonSize(1n)).toBe(Infinity);
  });
});

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
