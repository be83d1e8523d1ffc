import { guard } from './guard';
import { fitToSize } from './event-trim';
import { exoticValue } from './exotic-values';
import { LEVELS } from './exception';
import {
  clamp,
  DEFAULT_MAX_BREADTH,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_VALUE_LENGTH,
  DEFAULT_NORMALIZE_DEPTH,
  MAX_DEPTH,
  normalizeFiltered,
  type ExoticValue,
  safeGet,
  setKey,
  truncate,
} from './normalize';
import { CLIENT_IP_HEADERS } from './request-data';
import { deniedFields, FILTERED, scrubQuery, type ScrubOptions } from './scrub';
import type { Event, StackFrame } from './types';

// The last pass over an event before it is sent: the event as the server will see it, valid against
// the protocol's schema (../shared/schemas/event.schema.json), without secrets (./scrub.ts) and under
// the size limit, in one walk and a trim. The schema is a table rather than one function per object
// type: it is a large share of the browser bundle otherwise.

export interface NormalizeEventOptions extends ScrubOptions {
  depth?: number;
  maxBreadth?: number;
  /** Longest message, exception value, URL or breadcrumb message kept (default 8192). */
  maxValueLength?: number;
  /** Largest JSON payload (UTF-8 bytes) the event may have. */
  maxBytes?: number;
  /** Special values the walk knows (default in `normalizeEvent`: ./exotic-values.ts; none in `cleanEvent`). */
  exoticValue?: ExoticValue;
}

type Json = Record<string, any>;

/**
 * What each field may hold. A string is a kind: `s` string, `k` string of at most 200 characters (tag
 * values), `u` unsigned integer, `b` boolean, `t` timestamp (number or string), `l` level, `j` any
 * data, `o` any data as an object (to the depth), `c` the same two levels deeper (contexts: their
 * name and object take two already). In data, the values of secret-looking fields are filtered. An
 * object is a record with these fields (`*`: any key, at most 200 characters long; `#`: the same,
 * secret-looking ones filtered); an array is a list of its one spec.
 */
type Spec = string | Spec[] | { [key: string]: Spec };

const STRINGS: Spec = ['s'];
const FRAME: Spec = fields({ in_app: 'b', pre_context: STRINGS, post_context: STRINGS, vars: 'o' }, 's', 'filename abs_path function module platform context_line', 'u', 'lineno colno');
const USER: Record<string, Spec> = fields({ data: 'o' }, 's', 'id email username name ip_address segment');
const EVENT: Spec = fields(
  {
    timestamp: 't',
    level: 'l',
    logentry: { message: 's', formatted: 's', params: 'j' },
    fingerprint: ['s'],
    tags: { '*': 'k' },
    user: USER,
    extra: 'o',
    contexts: { '#': 'c' },
    breadcrumbs: { values: [fields({ level: 'l', timestamp: 't', data: 'o' }, 's', 'type category message')] },
    request: fields({ headers: { '#': 's' }, cookies: { '#': 's' }, env: 'o', data: 'j' }, 's', 'url method query_string'),
    exception: {
      values: [
        fields(
          {
            mechanism: fields({ data: 'o' }, 's', 'type source', 'b', 'handled synthetic is_exception_group', 'u', 'exception_id parent_id'),
            stacktrace: { frames: [FRAME] },
          },
          's',
          'type value module',
        ),
      ],
    },
    sdk: { name: 's', version: 's', integrations: ['s'], packages: [{ name: 's', version: 's' }] },
    modules: { '*': 's' },
  },
  's',
  'event_id platform logger transaction server_name release dist environment',
);

// Relay rejects tag keys and values over 200 characters.
const MAX_TAG_LENGTH = 197;

/**
 * Bounds and cleans an event for sending; returns a new event and leaves the input alone. Values
 * of secret-looking fields become `[Filtered]` in extras, contexts, user data, breadcrumb data,
 * request data, headers, cookies, env and query string; unless `sendDefaultPii`, the client's
 * address (`user.ip_address`, `REMOTE_ADDR`, headers such as `X-Forwarded-For`) and request
 * cookies are left out. Over `maxBytes`, it gives up, in order: extras, breadcrumbs (oldest
 * first), contexts, request data, frame source and variables, middle frames, linked exceptions,
 * the other optional fields, then shortens the message; the thrown exception's type and value
 * stay. Never throws.
 */
export function normalizeEvent(event: Event, options: NormalizeEventOptions = {}): Event {
  return fitToSize(cleanEvent(event, { exoticValue, ...options }), clamp(options.maxBytes, DEFAULT_MAX_EVENT_BYTES, 0, Number.MAX_SAFE_INTEGER));
}

/** `normalizeEvent` without the size limit: the client applies its own size policy (./event-trim.ts). */
export function cleanEvent(event: Event, options: NormalizeEventOptions = {}): Event {
  const depth = clamp(options.depth, DEFAULT_NORMALIZE_DEPTH, 0, MAX_DEPTH);
  const breadth = clamp(options.maxBreadth, DEFAULT_MAX_BREADTH, 1, Number.MAX_SAFE_INTEGER);
  const maxLength = clamp(options.maxValueLength, DEFAULT_MAX_VALUE_LENGTH, 16, Number.MAX_SAFE_INTEGER);
  const denied = guard(() => deniedFields(options));
  const exotic = options.exoticValue;
  const data = (value: unknown, levels = depth): unknown => normalizeFiltered(value, levels, breadth, undefined, denied, exotic);

  /** A string for a field the protocol types as one; undefined when there is nothing to say. */
  const stringOf = (value: unknown, max: number): string | undefined =>
    typeof value === 'string' ? truncate(value, max) : guard(() => {
      const text = typeof value === 'object' || typeof value === 'function' ? normalizeFiltered(value, 1, 100, max, undefined, exotic) : String(value);
      return truncate(typeof text === 'string' ? text : JSON.stringify(text), max);
    });

  const clean = (value: unknown, spec: Spec): any => {
    if (value == null) return undefined;
    if (Array.isArray(spec)) {
      if (!Array.isArray(value)) return undefined;
      // Breadcrumbs and frames keep their newest and innermost entries, at the end.
      const out: unknown[] = [];
      for (let i = Math.max(0, value.length - breadth); i < value.length; i++) {
        const item = clean(value[i], spec[0]!);
        if (item !== undefined) out.push(item);
      }
      return out;
    }
    if (typeof spec === 'object') {
      if (typeof value !== 'object') return undefined;
      if (spec === FRAME) {
        try {
          return frameOf(value as StackFrame);
        } catch {
          // A throwing getter or a Proxy: the walk below reads field by field.
        }
      }
      const out: Json = {};
      const secret = spec['#'];
      const any = spec['*'] ?? secret;
      let count = 0;
      for (const name in any ? value : spec) {
        if (any && count++ >= breadth) break;
        // One hostile field (a Proxy, a throwing getter) costs that field only. In place rather
        // than `guard`: this runs for every field of every event.
        try {
          const cleaned = clean(secret && denied?.(name) ? FILTERED : safeGet(value, name), any ?? spec[name]!);
          if (cleaned !== undefined) setKey(out, any ? truncate(name, MAX_TAG_LENGTH) : name, cleaned);
        } catch {
          // Left out.
        }
      }
      return out;
    }
    switch (spec) {
      case 's':
      case 'k':
        return stringOf(value, spec === 's' ? maxLength : MAX_TAG_LENGTH);
      case 'u':
        return unsigned(value);
      case 'b':
        return typeof value === 'boolean' ? value : undefined;
      case 't':
        return typeof value === 'string' || Number.isFinite(value) ? value : undefined;
      case 'l':
        return LEVELS.includes(value as string) ? value : undefined;
      case 'j':
        return data(value);
    }
    // The schema wants objects where a user may have put anything.
    const object = data(value, spec === 'c' ? depth + 1 : depth);
    return object !== null && typeof object === 'object' && !Array.isArray(object) ? object : { value: object };
  };

  /**
   * A frame as FRAME says, read by name: frames are most of an event's fields (a dozen each, up to 50
   * per exception), and the walk's reads and writes by computed name cost several times more. Fields
   * with nothing valid are undefined, which JSON leaves out.
   */
  const text = (value: unknown): string | undefined => (value == null ? undefined : stringOf(value, maxLength));
  const frameOf = (frame: StackFrame): Json => {
    const out: Json = {
      filename: text(frame.filename),
      abs_path: text(frame.abs_path),
      function: text(frame.function),
      module: text(frame.module),
      platform: text((frame as Json).platform),
      lineno: unsigned(frame.lineno),
      colno: unsigned(frame.colno),
      in_app: typeof frame.in_app === 'boolean' ? frame.in_app : undefined,
      context_line: text(frame.context_line),
      pre_context: clean(frame.pre_context, STRINGS),
      post_context: clean(frame.post_context, STRINGS),
    };
    if (frame.vars != null) out.vars = clean(frame.vars, 'o');
    return out;
  };

  const out: Json = guard(() => clean(event, EVENT)) ?? {};
  // Relay drops an exception with neither type nor value, and a mechanism without type.
  for (const exception of out.exception?.values ?? []) {
    if (exception.type === undefined && exception.value === undefined) exception.type = 'Error';
    if (exception.mechanism) exception.mechanism.type ??= 'generic';
  }
  for (const key of ['exception', 'breadcrumbs']) if (!out[key]?.values?.length) delete out[key];
  if (out.sdk && (out.sdk.name === undefined || out.sdk.version === undefined)) delete out.sdk;
  const { user, request } = out;
  guard(() => {
    // The protocol's user is closed: anything else goes in `data`.
    const given = safeGet(event, 'user') as Json;
    if (user) {
      for (const name in given) {
        const value = name in USER ? undefined : clean(denied?.(name) ? FILTERED : safeGet(given, name), 'j');
        if (value !== undefined) setKey((user.data ??= {}), name, value);
      }
    }
    // Sentry SDKs also send a top-level `message`, which this schema does not know.
    const legacy = clean(safeGet(event, 'message'), 's');
    if (legacy !== undefined && !out.logentry?.message && !out.logentry?.formatted) out.logentry = { ...out.logentry, message: legacy };
  });
  if (request?.query_string && denied) request.query_string = scrubQuery(request.query_string, denied);
  if (options.sendDefaultPii !== true) {
    delete user?.ip_address;
    delete request?.cookies;
    delete request?.env?.REMOTE_ADDR;
    for (const name in request?.headers) if (CLIENT_IP_HEADERS.has(name.toLowerCase())) delete request.headers[name];
  }
  return out as Event;
}

function unsigned(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/**
 * `fields({ c: 'b' }, 's', 'a b')` is `{ c: 'b', a: 's', b: 's' }`: `spec` with the names of each
 * (kind, names) pair added. Marked free of side effects, so that a bundle without `cleanEvent` (the
 * CDN bundle's) leaves the tables out too.
 */
/*@__NO_SIDE_EFFECTS__*/
function fields(spec: Record<string, Spec>, ...kinds: string[]): Record<string, Spec> {
  for (let i = 0; i < kinds.length; i += 2) for (const name of kinds[i + 1]!.split(' ')) spec[name] = kinds[i]!;
  return spec;
}
