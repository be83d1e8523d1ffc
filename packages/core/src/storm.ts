// Storm control: an app that throws the same error in a loop must not pay for building, serializing
// and sending each repeat, nor grow memory. Repeats beyond a budget per key and window are dropped
// before any expensive work; each drop is counted (reason `backpressure`) for the client report.

export interface StormOptions {
  /** Events of one key allowed per window (default 10). */
  budget?: number;
  /** Window length in ms (default 60 s). */
  windowMs?: number;
  /** Keys tracked at once; past that the oldest window is forgotten (default 1000). */
  maxKeys?: number;
}

export interface StormGuard {
  /** true when an event with this key may go on now. */
  allow(key: string, now?: number): boolean;
}

export function createStormGuard(options: StormOptions = {}): StormGuard {
  const budget = options.budget ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 1000;
  // Map keeps insertion order, so the first key is the one whose window started longest ago.
  const windows = new Map<string, { start: number; count: number }>();
  return {
    allow(key, now = Date.now()) {
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        if (window) windows.delete(key);
        else if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      return ++window.count <= budget;
    },
  };
}

/**
 * A cheap key for a captured value: type and message for errors (reading `stack` would cost more than
 * the whole capture, as V8 formats it lazily), the text for strings and messages. undefined when the
 * value has no cheap identity (plain objects, hostile values): those are never held back.
 */
export function stormKey(value: unknown, kind: 'exception' | 'message'): string | undefined {
  try {
    if (typeof value === 'string') return `${kind}:${value}`;
    if (kind === 'exception' && value instanceof Error) {
      const { name, message } = value;
      if (typeof name === 'string' && typeof message === 'string') return `error:${name}:${message}`;
    }
  } catch {
    // Hostile getters: no key, so the value takes the full (guarded) path.
  }
  return undefined;
}
