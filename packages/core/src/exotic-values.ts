import { normalize, setKey } from './normalize';

// Objects that `normalize` (./normalize.ts) shows as something other than their properties. Part of
// the full pipeline (./full-pipeline.ts): the CDN bundle walks them as plain objects, which is safe
// and bounded but less readable (`new Number(1)`, a RegExp, a Map or a Set as `{}`, a typed array as
// its first numbers, an invalid Date as null). Markers follow Sentry's `normalize`
// (packages/core/src/utils/normalize.ts).

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
export function exoticValue(obj: object, tag: string, breadth: number): unknown {
  // try/catch in place rather than `guard`: this runs for every object of every event.
  try {
    const unbox = Object.prototype.hasOwnProperty.call(UNBOX, tag) ? UNBOX[tag] : undefined;
    if (unbox) return unbox.call(obj);
    // Typed arrays and buffers can be megabytes: described by their size, never read.
    if (ArrayBuffer.isView(obj)) return `[${Object.getPrototypeOf(obj).constructor.name}(${(obj as Uint8Array).length ?? obj.byteLength})]`;
    if (tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer') return `[${tag}(${(obj as ArrayBuffer).byteLength})]`;
    if (tag === 'Date') {
      const time = Date.prototype.getTime.call(obj);
      return Number.isNaN(time) ? '[Invalid Date]' : new Date(time).toISOString();
    }
    // A Map as an object with string keys, a Set as a list; one entry past the breadth, so the walk
    // marks the rest.
    if (tag === 'Map' || tag === 'Set') {
      const list: unknown[] = [];
      const keyed: Record<string, unknown> = {};
      const entries = tag === 'Map' ? Map.prototype.entries.call(obj as Map<unknown, unknown>) : Set.prototype.values.call(obj as Set<unknown>);
      for (const entry of entries) {
        if (list.length > breadth) break;
        list.push(entry);
        if (tag === 'Map') {
          const [key, item] = entry as [unknown, unknown];
          setKey(keyed, typeof key === 'string' ? key : String(normalize(key, 0)), item);
        }
      }
      return tag === 'Map' ? keyed : list;
    }
    if (obj instanceof RegExp) return String(obj);
    // React's synthetic events hold the whole fiber tree; Vue view models hold the app.
    if ('nativeEvent' in obj && 'preventDefault' in obj && 'stopPropagation' in obj) return '[SyntheticEvent]';
    const record = obj as Record<string, unknown>;
    if (record._isVue === true || record.__isVue === true) return '[VueViewModel]';
  } catch {
    // A lying Symbol.toStringTag (getTime and valueOf then throw), or a Proxy whose traps throw:
    // walked as a plain object.
  }
  return undefined;
}
