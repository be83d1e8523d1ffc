import { captureException, type Mechanism } from '@faultline/core';
import { markRethrown, wasRethrown } from './rethrown';

type AnyFunction = (...args: any[]) => any;

// One wrapper per function, so that `removeEventListener(type, fn)` finds what `addEventListener`
// registered, and wrapping twice gives the same function.
const wrappers = new WeakMap<AnyFunction, AnyFunction>();
const wrapped = new WeakSet<AnyFunction>();

/**
 * A function that calls `fn` with the same `this`, arguments and return value, and that captures what
 * `fn` throws (with `mechanism`, `handled: false`) before throwing it on. The stack of an error
 * thrown in a timer or listener is complete here, unlike what the page's `error` event sees in some
 * engines (a cross-origin script's "Script error.").
 */
export function wrapCallback<F>(fn: F, mechanism: Mechanism): F {
  if (typeof fn !== 'function') return fn;
  const original = fn as unknown as AnyFunction;
  if (wrapped.has(original)) return fn;
  let wrapper = wrappers.get(original);
  if (!wrapper) {
    wrapper = function (this: unknown, ...args: unknown[]): unknown {
      try {
        return original.apply(this, args);
      } catch (error) {
        if (!wasRethrown(error)) {
          markRethrown(error);
          // No synthetic stack for a thrown string: it would show this wrapper, not the app's code.
          captureException(error, { mechanism: { ...mechanism, handled: false }, syntheticException: undefined });
        }
        throw error;
      }
    };
    wrappers.set(original, wrapper);
    wrapped.add(wrapper);
  }
  return wrapper as unknown as F;
}

/** The wrapper made for `fn`, if any (for `removeEventListener`). */
export function wrapperOf<F>(fn: F): F | undefined {
  return typeof fn === 'function' ? (wrappers.get(fn as unknown as AnyFunction) as F | undefined) : undefined;
}
