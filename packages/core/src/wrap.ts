// Replacing methods of objects we do not own (console, timers, fetch, addEventListener): idempotent,
// reversible, and careful to keep the property as it was (enumerability, other wrappers on top).
import { guard } from './guard';

const ORIGINAL = '__faultline_original__';

type AnyFunction = (...args: any[]) => any;

/** The function our wrapper replaced, or the function itself when it is not one of ours. */
export function unwrap<F extends AnyFunction>(fn: F): F {
  return ((fn as unknown as Record<string, unknown>)?.[ORIGINAL] as F | undefined) ?? fn;
}

export function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && ORIGINAL in fn;
}

/**
 * Replaces `target[name]` with `makeWrapper(original)` and returns a function that undoes it. Does
 * nothing (and returns a no-op) when the method is missing or already wrapped by us. When another
 * library has wrapped over ours by the time of undo, our wrapper turns into a pass-through instead,
 * so their wrapper keeps working.
 */
export function wrapMethod<T extends object, K extends keyof T>(
  target: T,
  name: K,
  makeWrapper: (original: T[K] & AnyFunction) => T[K] & AnyFunction,
): () => void {
  const original = guard(() => target[name]) as T[K] & AnyFunction;
  if (typeof original !== 'function' || isWrapped(original)) return noop;
  let active = true;
  const inner = makeWrapper(original);
  const wrapper = function (this: unknown, ...args: unknown[]) {
    return (active ? inner : original).apply(this, args);
  } as T[K] & AnyFunction;
  // Function properties are configurable everywhere we run; a failure here costs the name only.
  guard(() =>
    Object.defineProperties(wrapper, {
      [ORIGINAL]: { value: original },
      name: { value: original.name, configurable: true },
      length: { value: original.length, configurable: true },
    }),
  );
  const descriptor = guard(() => Object.getOwnPropertyDescriptor(target, name));
  const set = (value: PropertyDescriptor | undefined): unknown => (value ? Object.defineProperty(target, name, value) : delete target[name]);
  if (!guard(() => set({ configurable: true, enumerable: true, writable: true, ...descriptor, value: wrapper }))) return noop;
  return () => {
    active = false;
    // A frozen or exotic target keeps the pass-through wrapper, which is harmless.
    guard(() => target[name] === wrapper && set(descriptor));
  };
}

function noop(): void {}
