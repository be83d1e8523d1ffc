// Objects that `normalize` (./normalize.ts) shows as something other than their properties. Part of
// the full pipeline (./full-pipeline.ts): the CDN bundle walks them as plain objects, which is safe
// and bounded but less readable (`new Number(1)` or a RegExp as `{}`). Markers follow Sentry's
// `normalize` (packages/core/src/utils/normalize.ts).

// What to read a boxed primitive as, by its tag: its primitive (`new Number(1)` reads as 1, not as
// `{}`). With a lying Symbol.toStringTag, these throw.
const UNBOX: Record<string, ((this: unknown) => unknown) | undefined> = {
  Number: Number.prototype.valueOf,
  String: String.prototype.valueOf,
  Boolean: Boolean.prototype.valueOf,
  Symbol: Symbol.prototype.valueOf,
  // Older engines have no BigInt.
  BigInt: typeof BigInt === 'function' ? BigInt.prototype.valueOf : undefined,
};

/** What to walk instead of `obj` (see `ExoticValue` in ./normalize.ts), or undefined. Never throws. */
export function exoticValue(obj: object, tag: string): unknown {
  // try/catch in place rather than `guard`: this runs for every object of every event.
  try {
    const unbox = Object.prototype.hasOwnProperty.call(UNBOX, tag) ? UNBOX[tag] : undefined;
    if (unbox) return unbox.call(obj);
    if (obj instanceof RegExp) return String(obj);
    // React's synthetic events hold the whole fiber tree; Vue view models hold the app.
    if ('nativeEvent' in obj && 'preventDefault' in obj && 'stopPropagation' in obj) return '[SyntheticEvent]';
    const record = obj as Record<string, unknown>;
    if (record._isVue === true || record.__isVue === true) return '[VueViewModel]';
  } catch {
    // A lying Symbol.toStringTag, or a Proxy whose traps throw: walked as a plain object.
  }
  return undefined;
}
