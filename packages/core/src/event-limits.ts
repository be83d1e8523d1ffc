import { guard } from './guard';
import { logger } from './logger';
import {
  clamp,
  DEFAULT_MAX_BREADTH,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_VALUE_LENGTH,
  DEFAULT_NORMALIZE_DEPTH,
  jsonSize,
  MAX_DEPTH,
  normalize,
  read,
  setKey,
  truncate,
} from './normalize';
import type { Event } from './types';

// The last pass over an event before it is sent: the event as the server will see it, valid against
// the protocol's schema (../shared/schemas/event.schema.json) and under the size limit. The schema is a
// table rather than one function per object type: it is a large share of the browser bundle otherwise.

export interface NormalizeEventOptions {
  depth?: number;
  maxBreadth?: number;
  /** Longest message, exception value, URL or breadcrumb message kept (default 8192). */
  maxValueLength?: number;
  /** Largest JSON payload (UTF-8 bytes) the event may have. */
  maxBytes?: number;
}

type Json = Record<string, any>;

/**
 * What each field may hold. A string is a kind: `s` string, `k` string of at most 200 characters (tag
 * values), `u` unsigned integer, `b` boolean, `t` timestamp (number or string), `l` level, `j` any
 * data, `o` any data as an object (to the depth), `c` the same two levels deeper (contexts: their
 * name and object take two already). An object is a record with these fields (`*`: any key, at
 * most 200 characters long); an array is a list of its one spec.
 */
type Spec = string | Spec[] | { [key: string]: Spec };

const FRAME: Spec = {
  ...kinds('s', 'filename abs_path function module platform context_line'),
  ...kinds('u', 'lineno colno'),
  in_app: 'b',
  pre_context: ['s'],
  post_context: ['s'],
  vars: 'o',
};
const STRINGS: Spec = { '*': 's' };
const USER: Record<string, Spec> = { ...kinds('s', 'id email username name ip_address segment'), data: 'o' };
const EVENT: Spec = {
  ...kinds('s', 'event_id platform logger transaction server_name release dist environment'),
  timestamp: 't',
  level: 'l',
  logentry: { message: 's', formatted: 's', params: 'j' },
  fingerprint: ['s'],
  tags: { '*': 'k' },
  user: USER,
  extra: 'o',
  contexts: { '*': 'c' },
  breadcrumbs: { values: [{ ...kinds('s', 'type category message'), level: 'l', timestamp: 't', data: 'o' }] },
  request: { ...kinds('s', 'url method query_string'), headers: STRINGS, cookies: STRINGS, env: 'o', data: 'j' },
  exception: {
    values: [
      {
        ...kinds('s', 'type value module'),
        mechanism: { ...kinds('s', 'type source'), ...kinds('b', 'handled synthetic is_exception_group'), ...kinds('u', 'exception_id parent_id'), data: 'o' },
        stacktrace: { frames: [FRAME] },
      },
    ],
  },
  sdk: { name: 's', version: 's', integrations: ['s'], packages: [{ name: 's', version: 's' }] },
  modules: STRINGS,
};

const LEVELS = ['fatal', 'error', 'warning', 'info', 'debug'];
// Relay rejects tag keys and values over 200 characters.
const MAX_TAG_LENGTH = 197;

/**
 * Bounds and cleans an event for sending; returns a new event and leaves the input alone.
 * Over `maxBytes`, it gives up, in order: extras, breadcrumbs (oldest first), contexts, request
 * data, frame source and variables, middle frames, linked exceptions, the other optional fields,
 * then shortens the message; the thrown exception's type and value stay. Never throws.
 */
export function normalizeEvent(event: Event, options: NormalizeEventOptions = {}): Event {
  const depth = clamp(options.depth, DEFAULT_NORMALIZE_DEPTH, 0, MAX_DEPTH);
  const breadth = clamp(options.maxBreadth, DEFAULT_MAX_BREADTH, 1, Number.MAX_SAFE_INTEGER);
  const maxLength = clamp(options.maxValueLength, DEFAULT_MAX_VALUE_LENGTH, 16, Number.MAX_SAFE_INTEGER);

  /** A string for a field the protocol types as one; undefined when there is nothing to say. */
  const stringOf = (value: unknown, max: number): string | undefined =>
    guard(() => {
      const text = typeof value === 'object' || typeof value === 'function' ? normalize(value, 1, 100, max) : String(value);
      return truncate(typeof text === 'string' ? text : JSON.stringify(text), max);
    });

  const clean = (value: unknown, spec: Spec): any => {
    if (value == null) return undefined;
    if (Array.isArray(spec)) {
      // Breadcrumbs and frames keep their newest and innermost entries, at the end.
      return Array.isArray(value) ? value.slice(-breadth).map((item) => clean(item, spec[0]!)).filter((item) => item !== undefined) : undefined;
    }
    if (typeof spec === 'object') {
      if (typeof value !== 'object') return undefined;
      const out: Json = {};
      const any = spec['*'];
      let count = 0;
      for (const name in any ? value : spec) {
        if (any && count++ >= breadth) break;
        // One hostile field (a Proxy, a throwing getter) costs that field only.
        const cleaned = guard(() => clean(read(value, name), any ?? spec[name]!));
        if (cleaned !== undefined) setKey(out, any ? truncate(name, MAX_TAG_LENGTH) : name, cleaned);
      }
      return out;
    }
    switch (spec) {
      case 's':
      case 'k':
        return stringOf(value, spec === 's' ? maxLength : MAX_TAG_LENGTH);
      case 'u':
        return Number.isSafeInteger(value) && (value as number) >= 0 ? value : undefined;
      case 'b':
        return typeof value === 'boolean' ? value : undefined;
      case 't':
        return typeof value === 'string' || Number.isFinite(value) ? value : undefined;
      case 'l':
        return LEVELS.includes(value as string) ? value : undefined;
      case 'j':
        return normalize(value, depth, breadth);
    }
    // The schema wants objects where a user may have put anything.
    const data = normalize(value, spec === 'c' ? depth + 1 : depth, breadth);
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? data : { value: data };
  };

  const out: Json = guard(() => clean(event, EVENT)) ?? {};
  // Relay drops an exception with neither type nor value, and a mechanism without type.
  for (const exception of out.exception?.values ?? []) {
    if (exception.type === undefined && exception.value === undefined) exception.type = 'Error';
    if (exception.mechanism) exception.mechanism.type ??= 'generic';
  }
  for (const key of ['exception', 'breadcrumbs']) if (!out[key]?.values?.length) delete out[key];
  if (out.sdk && (out.sdk.name === undefined || out.sdk.version === undefined)) delete out.sdk;
  guard(() => {
    // The protocol's user is closed: anything else goes in `data`.
    const user = read(event, 'user') as Json;
    if (out.user) {
      for (const name in user) {
        const value = name in USER ? undefined : clean(read(user, name), 'j');
        if (value !== undefined) setKey((out.user.data ??= {}), name, value);
      }
    }
    // Sentry SDKs also send a top-level `message`, which this schema does not know.
    const legacy = clean(read(event, 'message'), 's');
    if (legacy !== undefined && !out.logentry?.message && !out.logentry?.formatted) out.logentry = { ...out.logentry, message: legacy };
  });
  return fitToSize(out, clamp(options.maxBytes, DEFAULT_MAX_EVENT_BYTES, 0, Number.MAX_SAFE_INTEGER));
}

// ---------------------------------------------------------------------------------------------
// Size: what to give up, cheapest loss first. Each step removes one thing; steps repeat until the
// event fits or the step has nothing left to remove.

/** Removes one thing from the event and returns it; undefined when it has nothing left to remove. */
type TrimStep = (event: Json) => unknown;

const TRIM_STEPS: TrimStep[] = [
  (event) => dropLargest(event, 'extra'),
  (event) => event.breadcrumbs?.values.shift(),
  (event) => dropLargest(event, 'contexts'),
  (event) => take(event, 'request'),
  // Source lines and variables of every frame at once: a frame without them says as much as another.
  (event) => {
    const removed = frames(event).flatMap((frame) => ['context_line', 'pre_context', 'post_context', 'vars'].map((key) => take(frame, key)).filter(Boolean));
    return removed.length ? removed : undefined;
  },
  // The middle frames say the least: the outermost caller and the throw site stay.
  (event) => {
    const stacktrace = stacktraces(event).find((stacktrace) => stacktrace.frames.length > 2);
    return stacktrace?.frames.splice(stacktrace.frames.length >> 1, 1);
  },
  (event) => (event.exception?.values.length > 1 ? event.exception.values.shift() : undefined),
  (event) => ['user', 'tags', 'fingerprint', 'modules', 'extra', 'contexts', 'breadcrumbs', 'sdk'].map((key) => take(event, key)).find(Boolean),
  (event) => shorten(event.logentry, 'message'),
  (event) => shorten(event.exception?.values[0], 'value'),
];

function fitToSize(event: Json, maxBytes: number): Event {
  let size = jsonSize(event);
  for (const step of TRIM_STEPS) {
    while (size > maxBytes) {
      const removed = step(event);
      if (removed === undefined) break;
      // Without the key and separators, so the estimate stays high: measured again once it fits.
      size -= jsonSize(removed);
      if (size <= maxBytes) size = jsonSize(event);
    }
  }
  if (size > maxBytes) logger.warn(`Event still over ${maxBytes} bytes after trimming.`);
  return event as Event;
}

/** Removes the largest entry of `event[key]` (and the bag once empty). */
function dropLargest(event: Json, key: string): unknown {
  const bag = event[key];
  let largest: string | undefined;
  let bytes = -1;
  for (const name in bag) {
    const size = jsonSize(bag[name]);
    if (size > bytes) [largest, bytes] = [name, size];
  }
  return largest === undefined ? take(event, key) : take(bag, largest);
}

function take(object: Json | undefined, key: string): unknown {
  const value = object?.[key];
  delete object?.[key];
  return value;
}

/** Halves a long string; its removed half is what comes back. */
function shorten(object: Json | undefined, key: string): unknown {
  const text = object?.[key];
  if (typeof text !== 'string' || text.length <= 64) return undefined;
  object![key] = truncate(text, text.length >> 1);
  return text.slice(text.length >> 1, -3);
}

function stacktraces(event: Json): Json[] {
  return (event.exception?.values ?? []).map((exception: Json) => exception.stacktrace).filter(Boolean);
}

function frames(event: Json): Json[] {
  return stacktraces(event).flatMap((stacktrace) => stacktrace.frames);
}

/** `{ ...kinds('s', 'a b') }` is `{ a: 's', b: 's' }`. */
function kinds(kind: string, names: string): Record<string, Spec> {
  const out: Record<string, Spec> = {};
  for (const name of names.split(' ')) out[name] = kind;
  return out;
}
