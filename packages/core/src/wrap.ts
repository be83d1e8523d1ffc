// Replacing methods of objects we do not own (console, timers, fetch, addEventListener): idempotent,
// reversible, and careful to keep the property as it was (enumerability, other wrappers on top).

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
  let original: T[K] & AnyFunction;
  try {
    original = target[name] as T[K] & AnyFunction;
    if (typeof original !== 'function' || isWrapped(original)) return noop;
  } catch {
    return noop;
  }
  let active = true;
  const inner = makeWrapper(original);
  const wrapper = function (this: unknown, ...args: unknown[]) {
    return active ? inner.apply(this, args) : original.apply(this, args);
  } as T[K] & AnyFunction;
  try {
    Object.defineProperty(wrapper, ORIGINAL, { value: original, enumerable: false });
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  } catch {
    // Function properties are configurable everywhere we run; keep going regardless.
  }
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  try {
    if (descriptor) Object.defineProperty(target, name, { ...descriptor, value: wrapper });
    else target[name] = wrapper;
  } catch {
    return noop;
  }
  return () => {
    active = false;
    try {
      if (target[name] !== wrapper) return;
      if (descriptor) Object.defineProperty(target, name, descriptor);
      else delete target[name];
    } catch {
      // A frozen or exotic target: the pass-through wrapper stays, which is harmless.
    }
  };
}

function noop(): void {}
