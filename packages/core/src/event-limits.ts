import { logger } from './logger';
import {
  clamp,
  DEFAULT_MAX_BREADTH,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_VALUE_LENGTH,
  DEFAULT_NORMALIZE_DEPTH,
  hasOwn,
  jsonSize,
  MAX_DEPTH,
  normalize,
  read,
  setKey,
  truncate,
} from './normalize';
import type { Event } from './types';

// The last pass over an event before it is sent: the event as the server will see it, valid against
// the protocol's schema and under the size limit.

const MAX_TAG_LENGTH = 200;

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
