import { logger } from './logger';
import type { Event } from './types';

// Safe, bounded serialization of any value, and the last pass over an event before it is sent.
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
const MAX_DEPTH = 100;
// breadth^depth values could be visited otherwise (1000 keys on each of three levels is 10^9).
const MAX_VALUES = 50_000;
const MAX_TAG_LENGTH = 200;

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

function utf8Length(str: string): number {
  // A standard global in browsers and Node, but not in core's ES-only type library.
  const Encoder = (globalThis as { TextEncoder?: new () => { encode(input: string): { length: number } } }).TextEncoder;
  if (Encoder) {
    try {
      return new Encoder().encode(str).length;
    } catch {
      // fall through to counting by hand
    }
  }
  let bytes = 0;
  for (let i = 0; i < str.length; i++) {
    const code = str.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < str.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
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
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
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

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function hasOwn(obj: object, key: string): boolean {
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

function clamp(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback;
  return Math.min(Math.max(Math.floor(value), min), max);
}

// ---------------------------------------------------------------------------------------------
// normalizeEvent: the event as the server will see it, valid against the protocol's schema and
// under the size limit.

export interface NormalizeEventOptions {
  depth?: number;
  maxBreadth?: number;
  /** Longest message, exception value, URL or breadcrumb message kept (default 8192). */
  maxValueLength?: number;
  /** Largest JSON payload (UTF-8 bytes) the event may have. */
  maxBytes?: number;
}

interface EventLimits {
  depth: number;
  maxBreadth: number;
  maxValueLength: number;
}

type Json = Record<string, unknown>;

const LEVELS = new Set(['fatal', 'error', 'warning', 'info', 'debug']);
const EVENT_TYPES = new Set(['error', 'csp', 'hpkp', 'expectct', 'expectstaple', 'nel', 'transaction', 'userreportv2', 'default']);
const STRING_FIELDS = ['culprit', 'dist', 'environment', 'logger', 'platform', 'release', 'server_name', 'transaction', 'version'];
const USER_FIELDS = ['id', 'email', 'username', 'name', 'ip_address', 'segment'];
const REQUEST_STRINGS = ['url', 'method', 'fragment', 'protocol', 'api_target', 'inferred_content_type'];
const MECHANISM_FLAGS = ['handled', 'synthetic', 'is_exception_group'];
const FRAME_STRINGS = ['filename', 'abs_path', 'function', 'raw_function', 'module', 'package', 'platform', 'context_line', 'symbol', 'instruction_addr', 'addr_mode'];
// Fields Faultline does not write: kept, bounded, but not checked field by field.
const PASSTHROUGH_FIELDS = ['debug_meta', 'errors', 'threads', 'transaction_info'];

/**
 * Bounds and cleans an event for sending; returns a new event and leaves the input alone.
 * Over `maxBytes`, it gives up, in order: extras, breadcrumbs (oldest first), contexts, request
 * data, frame source and variables, middle frames, linked exceptions; the thrown exception's type
 * and value always stay. Never throws.
 */
export function normalizeEvent(event: Event, options: NormalizeEventOptions = {}): Event {
  const limits: EventLimits = {
    depth: clamp(options.depth, DEFAULT_NORMALIZE_DEPTH, 0, MAX_DEPTH),
    maxBreadth: clamp(options.maxBreadth, DEFAULT_MAX_BREADTH, 1, Number.MAX_SAFE_INTEGER),
    maxValueLength: clamp(options.maxValueLength, DEFAULT_MAX_VALUE_LENGTH, 16, Number.MAX_SAFE_INTEGER),
  };
  const maxBytes = clamp(options.maxBytes, DEFAULT_MAX_EVENT_BYTES, 0, Number.MAX_SAFE_INTEGER);
  try {
    return fitToSize(cleanEvent(event, limits), maxBytes);
  } catch (error) {
    logger.error('Could not normalize the event, sending its bare bones:', error);
    return minimalEvent(event as Json, maxBytes);
  }
}

function cleanEvent(event: Event, limits: EventLimits): Json {
  const source = event as unknown as Json;
  const out: Json = {};
  const { depth, maxBreadth, maxValueLength } = limits;
  const get = (key: string): unknown => read(source, key);

  const eventId = get('event_id');
  if (typeof eventId === 'string') out.event_id = eventId;
  for (const key of ['timestamp', 'received']) {
    const value = get(key);
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
  }
  const timeSpent = get('time_spent');
  if (isUint(timeSpent)) out.time_spent = timeSpent;
  const level = get('level');
  if (typeof level === 'string' && LEVELS.has(level)) out.level = level;
  const type = get('type');
  if (typeof type === 'string' && EVENT_TYPES.has(type)) out.type = type;
  for (const key of STRING_FIELDS) {
    const value = stringOf(get(key), maxValueLength);
    if (value !== undefined) out[key] = value;
  }

  // One hostile field (a Proxy, a throwing getter) costs that field only.
  const sections: Array<[string, () => unknown]> = [
    ['logentry', () => cleanLogEntry(get('logentry'), get('message'), limits)],
    ['fingerprint', () => cleanFingerprint(get('fingerprint'), limits)],
    ['tags', () => cleanTags(get('tags'), maxBreadth)],
    ['user', () => cleanUser(get('user'), limits)],
    ['extra', () => (isObject(get('extra')) ? asObject(normalize(get('extra'), depth, maxBreadth)) : undefined)],
    ['contexts', () => cleanContexts(get('contexts'), limits)],
    ['breadcrumbs', () => wrapValues(cleanBreadcrumbs(get('breadcrumbs'), limits))],
    ['request', () => cleanRequest(get('request'), limits)],
    ['exception', () => wrapValues(cleanExceptions(get('exception'), limits))],
    ['stacktrace', () => cleanStacktrace(get('stacktrace'), limits)],
    ['sdk', () => cleanSdk(get('sdk'), maxBreadth)],
    ['modules', () => (isObject(get('modules')) ? stringMap(get('modules') as Json, maxBreadth, maxValueLength) : undefined)],
    ...PASSTHROUGH_FIELDS.map((key): [string, () => unknown] => [
      key,
      () => (get(key) === undefined || get(key) === null ? undefined : normalize(get(key), MAX_DEPTH, maxBreadth)),
    ]),
  ];
  for (const [key, clean] of sections) {
    try {
      const value = clean();
      if (value !== undefined) out[key] = value;
    } catch (error) {
      logger.warn(`Dropped the event's ${key}: it could not be read.`, error);
    }
  }
  return out;
}

function cleanLogEntry(logentry: unknown, legacyMessage: unknown, limits: EventLimits): Json | undefined {
  const out: Json = {};
  if (isObject(logentry)) {
    const message = stringOf(read(logentry, 'message'), limits.maxValueLength);
    const formatted = stringOf(read(logentry, 'formatted'), limits.maxValueLength);
    const params = read(logentry, 'params');
    if (message !== undefined) out.message = message;
    if (formatted !== undefined) out.formatted = formatted;
    if (params !== undefined) out.params = normalize(params, limits.depth, limits.maxBreadth);
  }
  // Sentry SDKs also send a top-level `message`, which this schema does not know.
  if (out.message === undefined && out.formatted === undefined) {
    const message = stringOf(legacyMessage, limits.maxValueLength);
    if (message !== undefined) out.message = message;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function cleanFingerprint(fingerprint: unknown, limits: EventLimits): string[] | undefined {
  if (!Array.isArray(fingerprint)) return undefined;
  return fingerprint.slice(0, limits.maxBreadth).map((part) => stringOf(part, limits.maxValueLength) ?? String(part));
}

function wrapValues(values: Json[] | undefined): { values: Json[] } | undefined {
  return values ? { values } : undefined;
}

function cleanTags(tags: unknown, maxBreadth: number): Record<string, string> | undefined {
  if (!isObject(tags)) return undefined;
  const out: Record<string, string> = {};
  let count = 0;
  for (const key in tags) {
    if (count >= maxBreadth) break;
    if (!hasOwn(tags, key)) continue;
    // Relay rejects tag keys and values over 200 characters.
    const value = stringOf(read(tags, key), MAX_TAG_LENGTH - 3);
    if (value === undefined) continue;
    setKey(out, truncate(key, MAX_TAG_LENGTH - 3), value);
    count++;
  }
  return out;
}

function cleanUser(user: unknown, limits: EventLimits): Json | undefined {
  if (!isObject(user)) return undefined;
  const out: Json = {};
  const data: Json = {};
  const given = read(user, 'data');
  if (isObject(given)) Object.assign(data, asObject(normalize(given, limits.depth, limits.maxBreadth)));
  let count = 0;
  for (const key in user) {
    if (count++ >= limits.maxBreadth) break;
    if (key === 'data' || !hasOwn(user, key)) continue;
    const value = read(user, key);
    const text = USER_FIELDS.includes(key) ? stringOf(value, limits.maxValueLength) : undefined;
    if (text !== undefined) out[key] = text;
    // The protocol's user is closed: anything else goes in `data`.
    else if (value !== undefined && value !== null) setKey(data, key, normalize(value, limits.depth - 1, limits.maxBreadth));
  }
  if (Object.keys(data).length > 0) out.data = data;
  return out;
}

function cleanContexts(contexts: unknown, limits: EventLimits): Json | undefined {
  if (!isObject(contexts)) return undefined;
  const out: Json = {};
  let count = 0;
  for (const key in contexts) {
    if (count >= limits.maxBreadth) break;
    if (!hasOwn(contexts, key)) continue;
    const value = read(contexts, key);
    if (value === undefined || value === null) continue;
    // Two more levels than extras, as the context name and its object take two already.
    setKey(out, key, asObject(normalize(value, limits.depth + 1, limits.maxBreadth)));
    count++;
  }
  return out;
}

function cleanBreadcrumbs(breadcrumbs: unknown, limits: EventLimits): Json[] | undefined {
  // Accept Sentry's in-memory shape (a bare array) as well as the wire shape.
  const values = Array.isArray(breadcrumbs) ? breadcrumbs : isObject(breadcrumbs) ? read(breadcrumbs, 'values') : undefined;
  if (!Array.isArray(values)) return undefined;
  const out: Json[] = [];
  // The newest are at the end and matter most.
  for (const crumb of values.slice(-limits.maxBreadth)) {
    if (!isObject(crumb)) continue;
    const clean: Json = {};
    for (const key of ['type', 'category']) {
      const value = stringOf(read(crumb, key), limits.maxValueLength);
      if (value !== undefined) clean[key] = value;
    }
    const message = stringOf(read(crumb, 'message'), limits.maxValueLength);
    if (message !== undefined) clean.message = message;
    const level = read(crumb, 'level');
    if (typeof level === 'string' && LEVELS.has(level)) clean.level = level;
    const timestamp = read(crumb, 'timestamp');
    if (typeof timestamp === 'string' || (typeof timestamp === 'number' && Number.isFinite(timestamp))) {
      clean.timestamp = timestamp;
    }
    const eventId = read(crumb, 'event_id');
    if (typeof eventId === 'string' && /^[0-9a-f]{32}$/i.test(eventId)) clean.event_id = eventId;
    const data = read(crumb, 'data');
    if (data !== undefined && data !== null) clean.data = asObject(normalize(data, limits.depth, limits.maxBreadth));
    out.push(clean);
  }
  return out;
}

function cleanRequest(request: unknown, limits: EventLimits): Json | undefined {
  if (!isObject(request)) return undefined;
  const out: Json = {};
  for (const key of REQUEST_STRINGS) {
    const value = stringOf(read(request, key), limits.maxValueLength);
    if (value !== undefined) out[key] = value;
  }
  const query = read(request, 'query_string');
  if (isObject(query) && !Array.isArray(query)) out.query_string = stringMap(query, limits.maxBreadth, limits.maxValueLength);
  else {
    const text = stringOf(query, limits.maxValueLength);
    if (text !== undefined) out.query_string = text;
  }
  for (const key of ['headers', 'cookies']) {
    const value = read(request, key);
    if (isObject(value) && !Array.isArray(value)) out[key] = stringMap(value, limits.maxBreadth, limits.maxValueLength);
  }
  const env = read(request, 'env');
  if (isObject(env)) out.env = asObject(normalize(env, limits.depth, limits.maxBreadth));
  const bodySize = read(request, 'body_size');
  if (isUint(bodySize)) out.body_size = bodySize;
  const data = read(request, 'data');
  if (data !== undefined) out.data = normalize(data, limits.depth, limits.maxBreadth);
  return out;
}

function cleanExceptions(exception: unknown, limits: EventLimits): Json[] | undefined {
  const values = isObject(exception) ? read(exception, 'values') : undefined;
  if (!Array.isArray(values)) return undefined;
  const out: Json[] = [];
  for (const value of values.slice(-limits.maxBreadth)) {
    if (!isObject(value)) continue;
    const clean: Json = {};
    const type = stringOf(read(value, 'type'), limits.maxValueLength);
    const text = stringOf(read(value, 'value'), limits.maxValueLength);
    const module = stringOf(read(value, 'module'), limits.maxValueLength);
    if (type !== undefined) clean.type = type;
    if (text !== undefined) clean.value = text;
    // Relay discards an exception with neither.
    if (type === undefined && text === undefined) clean.type = 'Error';
    if (module !== undefined) clean.module = module;
    const threadId = read(value, 'thread_id');
    if (typeof threadId === 'string' || isUint(threadId)) clean.thread_id = threadId;
    const mechanism = cleanMechanism(read(value, 'mechanism'), limits);
    if (mechanism) clean.mechanism = mechanism;
    const stacktrace = cleanStacktrace(read(value, 'stacktrace'), limits);
    if (stacktrace) clean.stacktrace = stacktrace;
    out.push(clean);
  }
  return out.length > 0 ? out : undefined;
}

function cleanMechanism(mechanism: unknown, limits: EventLimits): Json | undefined {
  if (!isObject(mechanism)) return undefined;
  const out: Json = { type: stringOf(read(mechanism, 'type'), 200) ?? 'generic' };
  for (const key of MECHANISM_FLAGS) {
    const value = read(mechanism, key);
    if (typeof value === 'boolean') out[key] = value;
  }
  for (const key of ['exception_id', 'parent_id']) {
    const value = read(mechanism, key);
    if (isUint(value)) out[key] = value;
  }
  for (const key of ['source', 'help_link']) {
    const value = stringOf(read(mechanism, key), limits.maxValueLength);
    if (value !== undefined) out[key] = value;
  }
  const data = read(mechanism, 'data');
  if (isObject(data)) out.data = asObject(normalize(data, limits.depth, limits.maxBreadth));
  return out;
}

function cleanStacktrace(stacktrace: unknown, limits: EventLimits): Json | undefined {
  const frames = isObject(stacktrace) ? read(stacktrace, 'frames') : undefined;
  if (!Array.isArray(frames)) return undefined;
  const out: Json[] = [];
  // Keep the innermost frames (at the end), as Relay does when it trims.
  for (const frame of frames.slice(-Math.max(limits.maxBreadth, 1))) {
    if (!isObject(frame)) continue;
    const clean: Json = {};
    for (const key of FRAME_STRINGS) {
      const value = stringOf(read(frame, key), limits.maxValueLength);
      if (value !== undefined) clean[key] = value;
    }
    for (const key of ['lineno', 'colno']) {
      const value = read(frame, key);
      if (isUint(value)) clean[key] = value;
    }
    const inApp = read(frame, 'in_app');
    if (typeof inApp === 'boolean') clean.in_app = inApp;
    for (const key of ['pre_context', 'post_context']) {
      const lines = read(frame, key);
      if (Array.isArray(lines)) clean[key] = lines.slice(0, 50).map((line) => stringOf(line, limits.maxValueLength) ?? '');
    }
    const vars = read(frame, 'vars');
    if (isObject(vars)) clean.vars = asObject(normalize(vars, limits.depth, limits.maxBreadth));
    out.push(clean);
  }
  return { frames: out };
}

function cleanSdk(sdk: unknown, maxBreadth: number): Json | undefined {
  if (!isObject(sdk)) return undefined;
  const name = stringOf(read(sdk, 'name'), 200);
  const version = stringOf(read(sdk, 'version'), 200);
  if (name === undefined || version === undefined) return undefined;
  const out: Json = { name, version };
  const integrations = read(sdk, 'integrations');
  if (Array.isArray(integrations)) {
    out.integrations = integrations.slice(0, maxBreadth).map((item) => stringOf(item, 200) ?? '');
  }
  const packages = read(sdk, 'packages');
  if (Array.isArray(packages)) {
    out.packages = packages
      .slice(0, maxBreadth)
      .filter(isObject)
      .map((pkg) => ({ name: stringOf(read(pkg, 'name'), 200) ?? '', version: stringOf(read(pkg, 'version'), 200) ?? '' }));
  }
  return out;
}

function stringMap(map: object, maxBreadth: number, maxLength: number): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const key in map) {
    if (count >= maxBreadth) break;
    if (!hasOwn(map, key)) continue;
    const value = stringOf(read(map, key), maxLength);
    if (value === undefined) continue;
    setKey(out, key, value);
    count++;
  }
  return out;
}

/** A string for a field the protocol types as one; undefined when there is nothing to say. */
function stringOf(value: unknown, maxLength: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return truncate(value, maxLength);
  if (typeof value === 'object' || typeof value === 'function') {
    const normalized = normalize(value, 1, 100, maxLength);
    if (typeof normalized === 'string') return truncate(normalized, maxLength);
    try {
      return truncate(JSON.stringify(normalized), maxLength);
    } catch {
      return undefined;
    }
  }
  try {
    return truncate(String(value), maxLength);
  } catch {
    return undefined;
  }
}

/** The schema wants objects in some places where a user may have put anything. */
function asObject(value: unknown): Json {
  return isObject(value) && !Array.isArray(value) ? value : { value };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// ---------------------------------------------------------------------------------------------
// Size: what to give up, cheapest loss first.

type TrimStep = (event: Json, maxBytes: number, size: number) => void;

const TRIM_STEPS: TrimStep[] = [
  (event) => shortenStrings(event, 'extra'),
  (event, maxBytes, size) => dropLargest(event, 'extra', maxBytes, size),
  (event, maxBytes, size) => dropOldestBreadcrumbs(event, maxBytes, size),
  (event) => shortenStrings(event, 'contexts'),
  (event, maxBytes, size) => dropLargest(event, 'contexts', maxBytes, size),
  (event) => {
    const request = event.request as Json | undefined;
    if (request) delete request.data;
  },
  (event) => shortenStrings(event, 'request'),
  (event) => {
    const request = event.request as Json | undefined;
    if (request) for (const key of ['headers', 'cookies', 'env', 'query_string']) delete request[key];
  },
  (event) => forEachStacktrace(event, (stacktrace) => {
    for (const frame of stacktrace.frames as Json[]) {
      delete frame.pre_context;
      delete frame.post_context;
      delete frame.context_line;
      delete frame.vars;
    }
  }),
  ...[20, 5, 1].map((keep): TrimStep => (event) => forEachStacktrace(event, (stacktrace) => keepEnds(stacktrace, keep))),
  (event) => {
    const exception = event.exception as { values: Json[] } | undefined;
    if (exception && exception.values.length > 1) exception.values = exception.values.slice(-1);
  },
  (event) => {
    for (const key of ['user', 'tags', 'fingerprint', 'modules', 'stacktrace', ...PASSTHROUGH_FIELDS]) delete event[key];
    const logentry = event.logentry as Json | undefined;
    if (logentry) delete logentry.params;
    const sdk = event.sdk as Json | undefined;
    if (sdk) for (const key of ['integrations', 'packages']) delete sdk[key];
  },
];

function fitToSize(event: Json, maxBytes: number): Event {
  let size = jsonSize(event);
  for (const step of TRIM_STEPS) {
    if (size <= maxBytes) return event as Event;
    step(event, maxBytes, size);
    size = jsonSize(event);
  }
  if (size <= maxBytes) return event as Event;
  logger.warn(`Event still over ${maxBytes} bytes after trimming; sending its bare bones.`);
  return minimalEvent(event, maxBytes);
}

function shortenStrings(event: Json, key: string): void {
  if (event[key] !== undefined) event[key] = asObject(normalize(event[key], MAX_DEPTH, DEFAULT_MAX_BREADTH, 1024));
}

/** Removes the largest entries of `event[key]` until the event would fit, measuring each once. */
function dropLargest(event: Json, key: string, maxBytes: number, size: number): void {
  const bag = event[key] as Json | undefined;
  if (!bag) return;
  const sizes = Object.keys(bag)
    .map((name) => ({ name, bytes: jsonSize(name) + jsonSize(bag[name]) + 2 }))
    .sort((a, b) => b.bytes - a.bytes);
  let remaining = size;
  for (const { name, bytes } of sizes) {
    if (remaining <= maxBytes) break;
    delete bag[name];
    remaining -= bytes;
  }
  if (Object.keys(bag).length === 0) delete event[key];
}

function dropOldestBreadcrumbs(event: Json, maxBytes: number, size: number): void {
  const breadcrumbs = event.breadcrumbs as { values: Json[] } | undefined;
  if (!breadcrumbs) return;
  let remaining = size;
  let drop = 0;
  while (drop < breadcrumbs.values.length && remaining > maxBytes) {
    remaining -= jsonSize(breadcrumbs.values[drop]) + 1;
    drop++;
  }
  breadcrumbs.values = breadcrumbs.values.slice(drop);
  if (breadcrumbs.values.length === 0) delete event.breadcrumbs;
}

function forEachStacktrace(event: Json, fn: (stacktrace: Json) => void): void {
  const exception = event.exception as { values: Json[] } | undefined;
  for (const value of exception?.values ?? []) {
    if (value.stacktrace) fn(value.stacktrace as Json);
  }
  if (event.stacktrace) fn(event.stacktrace as Json);
}

/** Keeps the `keep` outermost and `keep` innermost frames: the middle says the least. */
function keepEnds(stacktrace: Json, keep: number): void {
  const frames = stacktrace.frames as Json[];
  if (frames.length > keep * 2) stacktrace.frames = [...frames.slice(0, keep), ...frames.slice(-keep)];
}

/** The fields that identify the event and its error, short enough for any sane limit. */
function minimalEvent(event: Json, maxBytes: number): Event {
  const out: Json = {};
  try {
    for (const key of ['event_id', 'timestamp', 'platform', 'level', 'release', 'environment']) {
      const value = read(event, key);
      if (typeof value === 'string' || typeof value === 'number') out[key] = typeof value === 'string' ? truncate(value, 200) : value;
    }
    if (typeof out.level === 'string' && !LEVELS.has(out.level)) delete out.level;
    if (typeof out.timestamp === 'number' && !Number.isFinite(out.timestamp)) delete out.timestamp;
    const logentry = read(event, 'logentry');
    const message = isObject(logentry) ? stringOf(read(logentry, 'message'), 1024) : undefined;
    if (message !== undefined) out.logentry = { message };
    const exception = read(event, 'exception');
    const values = isObject(exception) ? read(exception, 'values') : undefined;
    const last: unknown = Array.isArray(values) ? values[values.length - 1] : undefined;
    if (isObject(last)) {
      const clean: Json = {
        type: stringOf(read(last, 'type'), 200) ?? 'Error',
        value: stringOf(read(last, 'value'), 1024) ?? '',
      };
      const mechanism = read(last, 'mechanism');
      const type = isObject(mechanism) ? stringOf(read(mechanism, 'type'), 200) : undefined;
      if (type !== undefined) clean.mechanism = { type, handled: read(mechanism as object, 'handled') !== false };
      out.exception = { values: [clean] };
    }
    if (jsonSize(out) > maxBytes) {
      // An absurdly small limit: the type and a stub of each message are all that can go.
      delete out.release;
      delete out.environment;
      if (out.logentry) out.logentry = { message: truncate(message ?? '', 64) };
      const only = (out.exception as { values: Json[] } | undefined)?.values[0];
      if (only) only.value = truncate(String(only.value), 64);
    }
  } catch {
    // Nothing more can be salvaged.
  }
  return out as Event;
}
