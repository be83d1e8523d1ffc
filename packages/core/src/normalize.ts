import { utf8Length } from './envelope';

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

interface VisitState {
  maxBreadth: number;
  maxStringLength: number | undefined;
  ancestors: Set<object>;
  budget: number;
}

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
  const state: VisitState = {
    maxBreadth: clamp(maxBreadth, DEFAULT_MAX_BREADTH, 0, Number.MAX_SAFE_INTEGER),
    maxStringLength: maxStringLength === undefined ? undefined : clamp(maxStringLength, 0, 0, Number.MAX_SAFE_INTEGER),
    ancestors: new Set(),
    budget: MAX_VALUES,
  };
  try {
    return visit(value, clamp(depth, DEFAULT_NORMALIZE_DEPTH, 0, MAX_DEPTH), state);
  } catch (error) {
    // Only a stack overflow inside a user's toJSON or getter can get here.
    return `[Thrown: ${messageOf(error)}]`;
  }
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
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return Infinity;
  }
  return json === undefined ? 0 : utf8Length(json);
}

function visit(value: unknown, depth: number, state: VisitState): unknown {
  state.budget--;
  switch (typeof value) {
    case 'string':
      return state.maxStringLength === undefined ? value : truncate(value, state.maxStringLength);
    case 'boolean':
      return value;
    case 'number':
      // -0 would come back from JSON as 0.
      return Number.isFinite(value) ? value || 0 : `[${value}]`;
    case 'undefined':
      return '[undefined]';
    case 'bigint':
      return `[BigInt: ${String(value)}]`;
    case 'symbol':
      return limit(`[${String(value)}]`, state);
    case 'function':
      return limit(`[Function: ${functionName(value as Function)}]`, state);
  }
  if (value === null) return null;
  try {
    return visitObject(value as object, depth, state);
  } catch (error) {
    return `[Thrown: ${messageOf(error)}]`;
  }
}

function visitObject(obj: object, depth: number, state: VisitState): unknown {
  const tag = Object.prototype.toString.call(obj);
  const leaf = describeLeaf(obj, tag, depth, state);
  if (leaf !== undefined) return leaf;
  if (depth <= 0) return `[${constructorName(obj)}]`;
  if (state.ancestors.has(obj)) return '[Circular ~]';
  state.ancestors.add(obj);
  try {
    const toJSON = read(obj, 'toJSON');
    if (typeof toJSON === 'function') {
      try {
        return visit(toJSON.call(obj), depth - 1, state);
      } catch {
        // A toJSON that throws: show the object as it is.
      }
    }
    if (tag === '[object Map]') {
      const entries = iterate(() => Map.prototype.entries.call(obj as Map<unknown, unknown>));
      if (entries) return visitEntries(entries, depth, state);
    }
    if (tag === '[object Set]') {
      const values = iterate(() => Set.prototype.values.call(obj as Set<unknown>));
      if (values) return visitIterator(values, depth, state);
    }
    if (Array.isArray(obj)) return visitArray(obj, depth, state);
    if (tag === '[object Error]' || tag === '[object DOMException]') return visitError(obj, depth, state);
    return visitProperties(obj, {}, depth, state);
  } finally {
    state.ancestors.delete(obj);
  }
}

/** A short string for values that should never be walked into (or undefined to walk on). */
function describeLeaf(obj: object, tag: string, depth: number, state: VisitState): unknown {
  // Typed arrays can be megabytes: never iterate them.
  if (ArrayBuffer.isView(obj)) return `[${constructorName(obj)}(${viewLength(obj)})]`;
  switch (tag) {
    case '[object ArrayBuffer]':
    case '[object SharedArrayBuffer]':
      return `[${tag.slice(8, -1)}(${guard(() => (obj as ArrayBuffer).byteLength) ?? '?'})]`;
    case '[object Date]': {
      const time = guard(() => Date.prototype.getTime.call(obj));
      if (time === undefined) break;
      return Number.isNaN(time) ? '[Invalid Date]' : new Date(time).toISOString();
    }
    case '[object RegExp]':
      if (obj instanceof RegExp) return limit(String(obj), state);
      break;
    // Boxed primitives (`new Number(1)`) read as their primitive, not as `{}`.
    case '[object Number]':
    case '[object String]':
    case '[object Boolean]':
    case '[object BigInt]':
    case '[object Symbol]': {
      const unboxed = unbox(obj, tag);
      if (unboxed.ok) return visit(unboxed.value, depth, state);
      break;
    }
  }
  if (obj === globalThis) return '[Global]';
  const name = constructorName(obj);
  if (name === 'Window') return '[Window]';
  if (name === 'Document' || name === 'HTMLDocument') return '[Document]';
  if (/^HTML\w*Element$/.test(name)) return `[HTMLElement: ${name}]`;
  // React's synthetic events hold the whole fiber tree; Vue view models hold the app.
  if ('nativeEvent' in obj && 'preventDefault' in obj && 'stopPropagation' in obj) return '[SyntheticEvent]';
  if (read(obj, '_isVue') === true || read(obj, '__isVue') === true) return '[VueViewModel]';
  return undefined;
}

function visitProperties(
  obj: object,
  out: Record<string, unknown>,
  depth: number,
  state: VisitState,
): Record<string, unknown> {
  let count = 0;
  // `for...in` with a counter rather than Object.keys(): no array of every key, and the loop
  // stops at maxBreadth (Sentry does the same).
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (count >= state.maxBreadth || state.budget <= 0) {
      setKey(out, key, '[MaxProperties ~]');
      break;
    }
    setKey(out, key, visitProperty(obj, key, depth, state));
    count++;
  }
  return out;
}

function visitArray(arr: unknown[], depth: number, state: VisitState): unknown[] {
  const length = Number(arr.length) || 0;
  const end = Math.min(length, state.maxBreadth);
  const out: unknown[] = [];
  for (let i = 0; i < end; i++) {
    if (state.budget <= 0) break;
    out.push(visitProperty(arr, i, depth, state));
  }
  if (out.length < length) out.push('[MaxProperties ~]');
  return out;
}

function visitError(error: object, depth: number, state: VisitState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // name, message and stack are inherited or not enumerable, so Sentry adds them by hand.
  for (const key of ['name', 'message', 'stack', 'cause'] as const) {
    if (key === 'cause' && !hasOwn(error, 'cause')) continue;
    const value = visitProperty(error, key, depth, state);
    if (value !== '[undefined]') out[key] = value;
  }
  return visitProperties(error, out, depth, state);
}

function visitEntries(entries: Iterator<[unknown, unknown]>, depth: number, state: VisitState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (let step = entries.next(); !step.done; step = entries.next()) {
    const key = mapKey(step.value[0], state);
    if (count >= state.maxBreadth || state.budget <= 0) {
      setKey(out, key, '[MaxProperties ~]');
      break;
    }
    setKey(out, key, visit(step.value[1], depth - 1, state));
    count++;
  }
  return out;
}

function visitIterator(values: Iterator<unknown>, depth: number, state: VisitState): unknown[] {
  const out: unknown[] = [];
  for (let step = values.next(); !step.done; step = values.next()) {
    if (out.length >= state.maxBreadth || state.budget <= 0) {
      out.push('[MaxProperties ~]');
      break;
    }
    out.push(visit(step.value, depth - 1, state));
  }
  return out;
}

function visitProperty(obj: object, key: PropertyKey, depth: number, state: VisitState): unknown {
  let value: unknown;
  try {
    value = (obj as Record<PropertyKey, unknown>)[key];
  } catch (error) {
    state.budget--;
    return `[Thrown: ${messageOf(error)}]`;
  }
  return visit(value, depth - 1, state);
}

function mapKey(key: unknown, state: VisitState): string {
  if (typeof key === 'string') return key;
  if (key === null || (typeof key !== 'object' && typeof key !== 'function')) return String(key);
  const short = visit(key, 0, state);
  return typeof short === 'string' ? short : String(short);
}

/** `out[key] = value`, except that a key named `__proto__` must not reach the prototype setter. */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  } else {
    out[key] = value;
  }
}

function unbox(obj: object, tag: string): { ok: boolean; value?: unknown } {
  try {
    switch (tag) {
      case '[object Number]':
        return { ok: true, value: Number.prototype.valueOf.call(obj) };
      case '[object String]':
        return { ok: true, value: String.prototype.valueOf.call(obj) };
      case '[object Boolean]':
        return { ok: true, value: Boolean.prototype.valueOf.call(obj) };
      case '[object BigInt]':
        return { ok: true, value: BigInt.prototype.valueOf.call(obj) };
      default:
        return { ok: true, value: Symbol.prototype.valueOf.call(obj) };
    }
  } catch {
    // A Symbol.toStringTag that lies: not a real boxed primitive.
    return { ok: false };
  }
}

function viewLength(view: ArrayBufferView): number | string {
  const length = guard(() => (view as { length?: unknown }).length);
  if (typeof length === 'number') return length;
  return guard(() => view.byteLength) ?? '?';
}

function iterate<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    // A spoofed Symbol.toStringTag or a Proxy around a Map: walk it as a plain object.
    return undefined;
  }
}

export function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
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

function constructorName(obj: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (!proto) return 'null prototype';
    const ctor = (proto as { constructor?: unknown }).constructor;
    const name = typeof ctor === 'function' ? (ctor as Function).name : undefined;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

function functionName(fn: Function): string {
  try {
    const name = fn.name;
    return typeof name === 'string' && name !== '' ? name : '<anonymous>';
  } catch {
    return '<anonymous>';
  }
}

function limit(str: string, state: VisitState): string {
  return state.maxStringLength === undefined ? str : truncate(str, state.maxStringLength);
}

/** The message of something thrown at us, which may itself be hostile. */
export function messageOf(error: unknown): string {
  try {
    const message = error !== null && typeof error === 'object' ? (error as { message?: unknown }).message : error;
    return truncate(typeof message === 'string' ? message : String(message), 200);
  } catch {
    return 'unknown error';
  }
}

function guard<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

export function clamp(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback;
  return Math.min(Math.max(Math.floor(value), min), max);
}
