// Values a wrapped callback captured and then threw on. The throw still reaches the page's `error`
// event, where the global handler must not capture it a second time. Marking the value itself (not,
// as Sentry does, ignoring every `error` and `unhandledrejection` event until the next tick) keeps an
// unrelated rejection that happens right after the rethrow from being dropped.

const objects = new WeakSet<object>();
// A thrown primitive cannot go in a WeakSet; the last one is enough, as its `error` event comes next.
let primitive: { value: unknown } | undefined;

export function markRethrown(value: unknown): void {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') objects.add(value);
  else primitive = { value };
}

/**
 * Whether `value` was captured by a wrapper already. The page's `error` handler consumes a
 * primitive's mark, so that the same string thrown again later is captured again.
 */
export function wasRethrown(value: unknown, consume = false): boolean {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') return objects.has(value);
  if (!primitive || !Object.is(primitive.value, value)) return false;
  if (consume) primitive = undefined;
  return true;
}
