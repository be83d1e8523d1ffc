import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFromMessage, eventFromUnknown, exceptionFromError, fingerprintOf, isErrorLike } from '../src/exception';
import { safeGet } from '../src/normalize';
import { fullPipeline } from '../src/full-pipeline';
import { createStackParser } from '../src/stack-parser';
import type { Event, Exception } from '../src/types';
import { schemaErrors } from './helpers/schema';

const stackParser = createStackParser();
// The npm packages' pipeline (the CDN bundle's is tested in packages/browser).
const options = { ...fullPipeline, stackParser };

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function only(event: Event): Exception {
  expect(event.exception?.values).toHaveLength(1);
  return event.exception!.values[0]!;
}

function thrower(): never {
  throw new Error('boom');
}

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('eventFromUnknown', () => {
  it('turns an Error into an error event with its type, message and frames', () => {
    const event = eventFromUnknown(caught(thrower), undefined, options);
    expect(event.level).toBe('error');
    const exception = only(event);
    expect(exception).toMatchObject({ type: 'Error', value: 'boom', mechanism: { type: 'generic', handled: true } });
    const frames = exception.stacktrace!.frames;
    expect(frames[frames.length - 1]).toMatchObject({ function: 'thrower', in_app: true });
    expect(exception.mechanism!.synthetic).toBeUndefined();
    expect(schemaErrors(event)).toEqual([]);
  });

  it('uses the name of Error subclasses, then the constructor name', () => {
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    expect(only(eventFromUnknown(new ValidationError('bad'), undefined, options))).toMatchObject({ type: 'ValidationError', value: 'bad' });
    class Nameless extends Error {}
    const nameless = new Nameless('x');
    Object.defineProperty(nameless, 'name', { value: '' });
    expect(only(eventFromUnknown(nameless, undefined, options)).type).toBe('Nameless');
    expect(only(eventFromUnknown(new TypeError('t'), undefined, options)).type).toBe('TypeError');
  });

  it('says so when an Error has no message, as Sentry does', () => {
    expect(only(eventFromUnknown(new Error(), undefined, options)).value).toBe('No error message');
  });

  it('recognises errors from another realm and error-like objects', () => {
    const foreign = runInNewContext('new RangeError("from a vm context")') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(only(eventFromUnknown(foreign, undefined, options))).toMatchObject({ type: 'RangeError', value: 'from a vm context' });
    const errorLike = { name: 'GraphQLError', message: 'field missing', stack: 'GraphQLError: field missing\n    at resolve (/app/src/schema.js:3:9)' };
    const exception = only(eventFromUnknown(errorLike, undefined, options));
    expect(exception).toMatchObject({ type: 'GraphQLError', value: 'field missing' });
    expect(exception.stacktrace!.frames).toEqual([{ filename: '/app/src/schema.js', function: 'resolve', lineno: 3, colno: 9, in_app: true }]);
  });

  it('handles DOMException', () => {
    const exception = only(eventFromUnknown(new DOMException('The operation was aborted.', 'AbortError'), undefined, options));
    expect(exception).toMatchObject({ type: 'AbortError', value: 'The operation was aborted.' });
  });

  it('turns a string into an Error exception with the capture site stack, marked synthetic', () => {
    const syntheticException = new Error('synthetic');
    const event = eventFromUnknown('something failed', { syntheticException }, options);
    const exception = only(event);
    expect(exception).toMatchObject({ type: 'Error', value: 'something failed', mechanism: { type: 'generic', handled: true, synthetic: true } });
    expect(exception.stacktrace!.frames.length).toBeGreaterThan(0);
    expect(schemaErrors(event)).toEqual([]);
    expect(only(eventFromUnknown('no stack', undefined, options)).stacktrace).toBeUndefined();
  });

  it('without the full pipeline (the CDN bundle), gives a plain object its message or a plain wording', () => {
    const light = { stackParser };
    expect(only(eventFromUnknown({ message: 'from an object' }, undefined, light)).value).toBe('from an object');
    const event = eventFromUnknown({ code: 'E1', when: new Number(5) }, undefined, light);
    expect(only(event).value).toBe('Object captured as exception');
    expect(event.extra).toEqual({ __serialized__: { code: 'E1', when: {} } });
  });

  it('describes a plain object by its keys and serializes it into extra', () => {
    const event = eventFromUnknown({ status: 500, body: { nested: { deeper: { deepest: 1 } } } }, undefined, options);
    expect(only(event)).toMatchObject({ type: 'Error', value: 'Object captured as exception with keys: body, status', mechanism: { synthetic: true } });
    expect(event.extra).toEqual({ __serialized__: { status: 500, body: { nested: { deeper: '[Object]' } } } });
    expect(schemaErrors(event)).toEqual([]);
  });

  it('uses Sentry wording for objects with a message, a name, a class or no keys', () => {
    const value = (input: unknown): string | undefined => only(eventFromUnknown(input, undefined, options)).value;
    expect(value({ message: 'plain message' })).toBe('plain message');
    expect(value({ name: 'HttpError', message: 'Not Found' })).toBe("'HttpError' captured as exception with message 'Not Found'");
    class Response {
      status = 404;
    }
    expect(value(new Response())).toBe("'Response' captured as exception with keys: status");
    expect(value({})).toBe('Object captured as exception with keys: [object has no keys]');
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`property${String(i).padStart(2, '0')}`, i]));
    expect(value(many)).toBe('Object captured as exception with keys: property00, property01, property02');
  });

  it('gives every primitive and function a readable value', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'null'],
      [undefined, 'undefined'],
      [42, '42'],
      [NaN, 'NaN'],
      [false, 'false'],
      [Symbol('sym'), 'Symbol(sym)'],
      [10n, '10n'],
      [function handler() {}, '[Function: handler]'],
      [() => {}, '[Function: <anonymous>]'],
    ];
    for (const [input, expected] of cases) {
      const event = eventFromUnknown(input, undefined, options);
      expect(only(event)).toMatchObject({ type: 'Error', value: expected, mechanism: { synthetic: true } });
      expect(schemaErrors(event)).toEqual([]);
    }
  });

  it('survives Proxies, revoked Proxies, throwing getters and odd errors', () => {
    // `stack` first: V8 formats its lazy stack (reading `name`) when it is redefined.
    const throwingGetters = Object.defineProperties(new Error('hidden'), {
      stack: { get: () => { throw new Error('stack'); } },
      name: { get: () => { throw new Error('name'); } },
      message: { get: () => { throw new Error('message'); } },
      cause: { get: () => { throw new Error('cause'); } },
      constructor: { get: () => { throw new Error('constructor'); } },
    });
    const trapAll = new Proxy(new Error('trapped'), {
      get() {
        throw new Error('get');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf');
      },
      ownKeys() {
        throw new Error('ownKeys');
      },
    });
    const nonStringStack = Object.assign(new Error('odd stack'), { stack: { frames: [] } });
    const nullProto = Object.assign(Object.create(null) as object, { reason: 'x' });
    const frozen = Object.freeze(new TypeError('frozen'));
    const hostile = [throwingGetters, trapAll, revokedProxy(), nonStringStack, nullProto, frozen, new Proxy({ a: 1 }, {}), new Proxy(() => {}, {})];
    for (const value of hostile) {
      const event = eventFromUnknown(value, { mechanism: { type: 'onerror', handled: false } }, options);
      const exception = only(event);
      expect(typeof exception.type).toBe('string');
      expect(typeof exception.value).toBe('string');
      expect(exception.mechanism).toMatchObject({ type: 'onerror', handled: false });
      expect(schemaErrors(event)).toEqual([]);
    }
    expect(only(eventFromUnknown(frozen, undefined, options))).toMatchObject({ type: 'TypeError', value: 'frozen' });
    expect(only(eventFromUnknown(nonStringStack, undefined, options))).toMatchObject({ value: 'odd stack' });
    expect(only(eventFromUnknown(nullProto, undefined, options)).value).toBe('Object captured as exception with keys: reason');
  });

  it('takes the mechanism from the hint, keeping only protocol fields', () => {
    const hint = { mechanism: { type: 'onunhandledrejection', handled: false, data: { fn: () => 1 }, junk: 1 } as never };
    const event = eventFromUnknown(new Error('x'), hint, options);
    expect(only(event).mechanism).toEqual({ type: 'onunhandledrejection', handled: false, data: { fn: '[Function: fn]' } });
    expect(schemaErrors(event)).toEqual([]);
  });

  it('truncates the exception value to maxValueLength, 8192 by default', () => {
    expect(only(eventFromUnknown('x'.repeat(20_000), undefined, options)).value).toHaveLength(8192 + 3);
    expect(only(eventFromUnknown(new Error('y'.repeat(100)), undefined, { ...options, maxValueLength: 10 })).value).toBe('yyyyyyyyyy...');
  });

  it('bounds __serialized__ by normalizeDepth', () => {
    const event = eventFromUnknown({ a: { b: { c: 1 } } }, undefined, { ...options, normalizeDepth: 1 });
    expect(event.extra).toEqual({ __serialized__: { a: '[Object]' } });
  });

  it('survives a stack parser that throws', () => {
    const broken = (): never => {
      throw new Error('parser');
    };
    expect(only(eventFromUnknown(new Error('x'), undefined, { stackParser: broken }))).toMatchObject({ type: 'Error', value: 'x' });
  });

  it.each([
    ['the npm packages', options],
    ['the CDN bundle, without the full pipeline', { stackParser }],
  ])('yields a valid event for any value at all (%s)', (_, pipeline) => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBigInt: true,
          withDate: true,
          withObjectString: true,
        }),
        (value) => {
          const event = eventFromUnknown(value, { syntheticException: new Error('s') }, pipeline);
          expect(schemaErrors(event)).toEqual([]);
          expect(event.exception!.values).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('exceptionFromError', () => {
  it('describes one value without a mechanism', () => {
    expect(exceptionFromError(new SyntaxError('bad'), stackParser)).toMatchObject({ type: 'SyntaxError', value: 'bad' });
    expect(exceptionFromError(new SyntaxError('bad'), stackParser).mechanism).toBeUndefined();
    expect(exceptionFromError('text', stackParser)).toEqual({ type: 'Error', value: 'text' });
    expect(exceptionFromError(null, stackParser)).toEqual({ type: 'Error', value: 'null' });
    expect(exceptionFromError(revokedProxy(), stackParser)).toMatchObject({ type: 'Error' });
  });
});

describe('eventFromMessage', () => {
  it('makes a message event at the given level', () => {
    const event = eventFromMessage('Disk almost full', 'warning', undefined, options);
    expect(event).toEqual({ level: 'warning', logentry: { message: 'Disk almost full' } });
    expect(eventFromMessage('x').level).toBe('info');
    expect(eventFromMessage('x', 'loud' as never).level).toBe('info');
  });

  it('coerces non-string messages without throwing', () => {
    expect(eventFromMessage(42 as never).logentry).toEqual({ message: '42' });
    expect(eventFromMessage({ a: 1 } as never).logentry).toEqual({ message: '{"a":1}' });
    expect(eventFromMessage(Symbol('s') as never).logentry).toEqual({ message: 'Symbol(s)' });
    expect(typeof eventFromMessage(revokedProxy() as never).logentry!.message).toBe('string');
  });

  it('attaches the capture site frames as a synthetic, typeless exception only with attachStacktrace', () => {
    const hint = { syntheticException: new Error('Disk almost full') };
    expect(eventFromMessage('Disk almost full', 'info', hint, options).exception).toBeUndefined();
    const event = eventFromMessage('Disk almost full', 'info', hint, { ...options, attachStacktrace: true });
    expect(event.logentry).toEqual({ message: 'Disk almost full' });
    const exception = only(event);
    expect(exception.type).toBeUndefined();
    expect(exception).toMatchObject({ value: 'Disk almost full', mechanism: { type: 'generic', synthetic: true, handled: true } });
    expect(exception.stacktrace!.frames.length).toBeGreaterThan(0);
    expect(event.level).toBe('info');
    expect(schemaErrors(event)).toEqual([]);
  });
});

describe('fingerprintOf', () => {
  it('is the same for the same error from the same place and differs otherwise', () => {
    const capture = (message: string): Event => eventFromUnknown(new Error(message), undefined, options);
    const [a, b, c] = ['same', 'same', 'other'].map(capture) as [Event, Event, Event];
    const d = eventFromUnknown(new Error('same'), undefined, options);
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf(c));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf(d));
  });

  it('uses the message of message events and never throws', () => {
    expect(fingerprintOf(eventFromMessage('hello'))).toBe(fingerprintOf(eventFromMessage('hello')));
    expect(fingerprintOf(eventFromMessage('hello'))).not.toBe(fingerprintOf(eventFromMessage('bye')));
    expect(fingerprintOf({ exception: revokedProxy() } as never)).toBe('');
  });
});

describe('safeGet and isErrorLike', () => {
  it('read hostile values without throwing', () => {
    expect(safeGet(revokedProxy(), 'x')).toBeUndefined();
    expect(safeGet(null, 'x')).toBeUndefined();
    expect(safeGet({ x: 1 }, 'x')).toBe(1);
    expect(isErrorLike(revokedProxy())).toBe(false);
    expect(isErrorLike(new Error('x'))).toBe(true);
    expect(isErrorLike({ message: 'x' })).toBe(false);
  });
});
