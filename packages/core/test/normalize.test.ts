import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSize, normalize, normalizeFiltered, truncate } from '../src/normalize';
import { anythingOptions, revokedProxy, throwingProxy, deepObject, wideObject } from './helpers/hostile';

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

  it('marks a Map or Set that holds itself as circular', () => {
    const map = new Map<string, unknown>([['a', 1]]);
    map.set('self', map);
    const set = new Set<unknown>([1]);
    set.add(set);
    expect(normalize({ map, set })).toEqual({ map: { a: 1, self: '[Circular ~]' }, set: [1, '[Circular ~]'] });
  });

  it('without the full pipeline (the CDN bundle), walks boxed values, RegExps, Maps and Sets as plain objects', () => {
    const out = normalizeFiltered({ n: new Number(1), re: /x/g, map: new Map([['a', 1]]), set: new Set([1]), date: new Date(0), invalid: new Date('x') });
    expect(out).toEqual({ n: {}, re: {}, map: {}, set: {}, date: '1970-01-01T00:00:00.000Z', invalid: null });
    // A typed array is read by index up to the breadth, never listed whole.
    const big = new Uint8Array(3 * 1024 * 1024);
    expect(normalizeFiltered(big, 3, 4)).toEqual([0, 0, 0, 0, '[MaxProperties ~]']);
    expect(normalizeFiltered({ buffer: big.buffer, view: new DataView(big.buffer) })).toEqual({ buffer: {}, view: [] });
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
