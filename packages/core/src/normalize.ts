import { utf8Length } from './envelope';
import { guard } from './guard';
import { exoticValue } from './exotic-values';
import { FILTERED, type FieldMatcher } from './scrub';

// Safe, bounded serialization of any value.
// The markers follow Sentry's `normalize` (packages/core/src/utils/normalize.ts) so that events
// look the same in the UI as the ones users know: '[Circular ~]', '[MaxProperties ~]', '[Object]',
// '[Function: name]', '[BigInt: 1]', '[NaN]'.

export const DEFAULT_NORMALIZE_DEPTH = 3;
export const DEFAULT_MAX_BREADTH = 1000;
/** An event item may be 1 MiB; this leaves room for the envelope and item headers. */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;
/** Relay's limit for messages and exception values. */
export const DEFAULT_MAX_VALUE_LENGTH = 8192;

// Recursion stays far from the engine's stack limit whatever depth a user configures.
export const MAX_DEPTH = 100;
// breadth^depth values could be visited otherwise (1000 keys on each of three levels is 10^9).
const MAX_VALUES = 50_000;

const MAX_PROPERTIES = '[MaxProperties ~]';

/** What one `normalize` call carries through its walk (fields with `_` are renamed by the minifier). */
interface Walk {
  _breadth: number;
  _maxLength: number;
  _ancestors: Set<object>;
  /** Values still to visit before the walk gives up. */
  _budget: number;
  /** Names of fields whose values are filtered (see ./scrub.ts). */
  _denied?: FieldMatcher;
  _exotic?: ExoticValue;
}

/**
 * What to walk instead of an object that reads badly as one (a boxed primitive, a framework's
 * view model, a Map's entries as an object of at most `breadth + 1` keys, ...), or undefined for an
 * ordinary object. ./exotic-values.ts has the full set; the CDN bundle does without it. Never throws.
 */
export type ExoticValue = (obj: object, tag: string, breadth: number) => unknown;

/**
 * A JSON-safe copy of `value`: bounded in depth, breadth and string length, with circular
 * references, non-JSON values and objects that resist reading replaced by readable markers.
 * Never throws.
 */
export function normalize(
  value: unknown,
  depth: number = DEFAULT_NORMALIZE_DEPTH,
  maxBreadth: number = DEFAULT_MAX_BREADTH,
  maxStringLength?: number,
): unknown {
  return normalizeFiltered(value, depth, maxBreadth, maxStringLength, undefined, exoticValue);
}

/**
 * `normalize`, with the values of fields whose names `denied` matches (and of `[name, value]`
 * pairs, as headers may be sent) replaced by `[Filtered]` on the way: one walk bounds and scrubs.
 */
export function normalizeFiltered(
  value: unknown,
  depth?: number,
  maxBreadth?: number,
  maxStringLength?: number,
  denied?: FieldMatcher,
  exotic?: ExoticValue,
): unknown {
  const walk: Walk = {
    _breadth: clamp(maxBreadth, DEFAULT_MAX_BREADTH, 0, Number.MAX_SAFE_INTEGER),
    _maxLength: clamp(maxStringLength, Infinity, 0, Number.MAX_SAFE_INTEGER),
    _ancestors: new Set(),
    _budget: MAX_VALUES,
    _denied: denied,
    _exotic: exotic,
  };
  try {
    return visit(value, clamp(depth, DEFAULT_NORMALIZE_DEPTH, 0, MAX_DEPTH), walk);
  } catch (error) {
    // Only a stack overflow inside a user's toJSON or getter can get here.
    return thrown(error);
  }
}

function visit(value: unknown, depth: number, walk: Walk): unknown {
  walk._budget--;
  const max = walk._maxLength;
  switch (typeof value) {
    case 'string':
      return value.length > max ? truncate(value, max) : value;
    case 'number':
      // -0 would come back from JSON as 0.
      return Number.isFinite(value) ? value || 0 : `[${value}]`;
    case 'bigint':
      return `[BigInt: ${value}]`;
    case 'undefined':
      return '[undefined]';
    case 'symbol':
      return truncate(`[${String(value)}]`, max);
    case 'function':
      return truncate(`[Function: ${safeGet(value, 'name') || '<anonymous>'}]`, max);
    case 'object':
      try {
        return value && visitObject(value, depth, walk);
      } catch (error) {
        return thrown(error);
      }
  }
  return value;
}

function visitObject(obj: object, depth: number, walk: Walk): unknown {
  const tag = Object.prototype.toString.call(obj).slice(8, -1);
  const name = constructorName(obj);
  // The page itself and its elements: megabytes of getters, some of which force a layout.
  if (obj === globalThis) return '[Global]';
  if (name === 'Window' || name === 'Document' || name === 'HTMLDocument') return `[${name}]`;
  if (/^HTML\w*Element$/.test(name)) return `[HTMLElement: ${name}]`;
  const exotic = walk._exotic?.(obj, tag, walk._breadth);
  // A value stands for the object whatever the depth; an object (a Map's entries) is walked in its
  // place below, at the same depth, the object itself counting as the ancestor.
  const stands = exotic !== undefined;
  if (stands && (exotic === null || typeof exotic !== 'object')) return visit(exotic, depth, walk);
  if (depth <= 0) return `[${name}]`;
  const ancestors = walk._ancestors;
  if (ancestors.has(obj)) return '[Circular ~]';
  ancestors.add(obj);
  try {
    if (stands) return visit(exotic, depth, walk);
    const toJSON = safeGet(obj, 'toJSON');
    if (typeof toJSON === 'function') {
      try {
        return visit(toJSON.call(obj), depth - 1, walk);
      } catch {
        // A toJSON that throws: show the object as it is.
      }
    }
    // A typed array (which the full pipeline describes by its size) is read as a list: by index, up
    // to the breadth, where `for...in` would list every index of megabytes first.
    if (Array.isArray(obj) || ArrayBuffer.isView(obj)) return items(obj as unknown as unknown[], depth, walk);
    const out: Record<string, unknown> = {};
    // name, message and stack are inherited or not enumerable, so Sentry adds them by hand.
    if (tag === 'Error' || tag === 'DOMException') {
      for (const key of ['name', 'message', 'stack', 'cause']) {
        if (key === 'cause' && !hasOwn(obj, key)) continue;
        const value = field(obj, key, depth, walk);
        if (value !== '[undefined]') out[key] = value;
      }
    }
    return properties(obj, out, depth, walk);
  } finally {
    ancestors.delete(obj);
  }
}

/** The walked value of `obj[key]`, or `[Filtered]` when the key is a denied name. */
function field(obj: object, key: string, depth: number, walk: Walk): unknown {
  return walk._denied?.(key) ? FILTERED : property(obj, key, depth, walk);
}

function property(obj: object, key: PropertyKey, depth: number, walk: Walk): unknown {
  let value: unknown;
  try {
    value = (obj as Record<PropertyKey, unknown>)[key];
  } catch (error) {
    walk._budget--;
    return thrown(error);
  }
  return visit(value, depth - 1, walk);
}

function items(list: unknown[], depth: number, walk: Walk): unknown[] {
  const length = Number(list.length) || 0;
  const out: unknown[] = [];
  const end = Math.min(length, walk._breadth);
  for (let i = 0; i < end && walk._budget > 0; i++) out.push(property(list, i, depth, walk));
  if (out.length < length) out.push(MAX_PROPERTIES);
  // A `[name, value]` pair, as headers and cookies may be sent.
  if (length === 2 && typeof out[0] === 'string' && walk._denied?.(out[0])) out[1] = FILTERED;
  return out;
}

// `for...in` with a counter rather than Object.keys(): no array of every key, and the loop stops at
// maxBreadth (Sentry does the same).
function properties(obj: object, out: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
  let count = 0;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (count++ >= walk._breadth || walk._budget <= 0) {
      setKey(out, key, MAX_PROPERTIES);
      break;
    }
    setKey(out, key, field(obj, key, depth, walk));
  }
  return out;
}

function thrown(error: unknown): string {
  return `[Thrown: ${messageOf(error)}]`;
}

/** Sentry's truncation: at most `max` characters of `str`, then '...'. */
export function truncate(str: string, max: number): string {
  if (typeof str !== 'string' || !(max >= 0) || str.length <= max) return str;
  let end = Math.floor(max);
  // Cutting between the halves of a surrogate pair would leave a lone surrogate behind.
  const code = str.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${str.slice(0, end)}...`;
}

/** UTF-8 bytes of `JSON.stringify(value)`; Infinity when it cannot be serialized. */
export function jsonSize(value: unknown): number {
  try {
    return utf8Length(JSON.stringify(value) ?? '');
  } catch {
    return Infinity;
  }
}

/** `out[key] = value`, except that a key named `__proto__` must not reach the prototype setter. */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  else out[key] = value;
}

/** `obj[key]`, or undefined when reading it throws (a getter, a revoked Proxy). */
export function safeGet(obj: unknown, key: PropertyKey): unknown {
  // try/catch in place rather than `guard`: this runs for every value of every event.
  try {
    return (obj as Record<PropertyKey, unknown> | null | undefined)?.[key];
  } catch {
    return undefined;
  }
}

export function hasOwn(obj: object, key: string): boolean {
  try {
    return Object.prototype.hasOwnProperty.call(obj, key);
  } catch {
    return false;
  }
}

/** The name of an object's class: 'Object' when it has none, 'null prototype' for `Object.create(null)`. */
export function constructorName(obj: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (!proto) return 'null prototype';
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name) return name;
  } catch {
    // A Proxy whose traps throw.
  }
  return 'Object';
}

/** The message of something thrown at us, which may itself be hostile. */
export function messageOf(error: unknown): string {
  return guard(() => truncate(String((error as { message?: unknown } | null)?.message ?? error), 200)) ?? 'unknown error';
}

export function clamp(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback;
  return Math.min(Math.max(Math.floor(value), min), max);
}
