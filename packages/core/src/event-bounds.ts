import { LEVELS } from './exception';
import { guard } from './guard';
import type { NormalizeEventOptions } from './event-limits';
import { DEFAULT_MAX_VALUE_LENGTH, DEFAULT_NORMALIZE_DEPTH, normalizeFiltered, setKey, truncate } from './normalize';
import { deniedFields } from './scrub';
import type { Event } from './types';

// The client's default last pass over an event, small enough for the CDN bundle (the npm packages
// pass ./event-limits.ts `cleanEvent`, which checks every field against the protocol's schema).
// What the SDK builds (exceptions, frames, messages, sdk) is sent as built; what users put on an
// event through the scopes is bounded by `normalize` (depth, breadth, cycles, hostile getters),
// with the values of secret-looking fields filtered, and reshaped where the schema is closed.

type Json = Record<string, any>;

const USER_FIELDS = ['id', 'email', 'username', 'name', 'ip_address', 'segment'];
// What `normalize` makes of an undefined field: left out of the user.
const UNDEFINED = '[undefined]';

/**
 * Bounds the data users set (extras, contexts, user, tags, fingerprint, level, breadcrumbs) and
 * filters secrets in it; returns a new event, leaving the input alone. Never throws.
 */
export function boundEvent(event: Event, options: NormalizeEventOptions = {}): Event {
  const out: Json = { ...event };
  const denied = guard(() => deniedFields(options));
  const maxLength = options.maxValueLength! >= 16 ? options.maxValueLength! : DEFAULT_MAX_VALUE_LENGTH;
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  // The schema wants objects where a user may have put anything.
  const object = (value: any): Json => (value && typeof value === 'object' && !Array.isArray(value) ? value : { value });
  /** `value` normalized, secrets filtered, as an object; undefined for nothing. */
  const bag = (value: unknown, depth: unknown = options.depth): Json | undefined =>
    value == null ? undefined : object(normalizeFiltered(value, depth as number, options.maxBreadth, undefined, denied));
  // One hostile field costs that field only.
  const fix = (key: string, make: (value: any) => unknown): void => {
    const value = guard(() => out[key] != null && make(out[key]));
    if (value) out[key] = value;
    else delete out[key];
  };

  fix('extra', bag);
  fix('contexts', (contexts) => {
    // Each context is an object, bounded as deep as an extra (`normalize` clamps a depth that is no number).
    const bounded = bag(contexts, (options.depth ?? DEFAULT_NORMALIZE_DEPTH) + 1)!;
    for (const name in bounded) bounded[name] = object(bounded[name]);
    return bounded;
  });
  fix('tags', (tags) => {
    const bounded = object(normalizeFiltered(tags, 1, options.maxBreadth));
    for (const name in bounded) bounded[name] = text(bounded[name]);
    return bounded;
  });
  fix('fingerprint', (fingerprint) => Array.isArray(fingerprint) && fingerprint.map(String));
  fix('level', (level) => LEVELS.includes(level) && level);
  fix('user', (user) => {
    // The protocol's user is closed: anything else goes in `data`.
    const { data, ...fields } = bag(user)!;
    const bounded: Json = {};
    const extra = bag(data) ?? {};
    for (const name in fields) {
      const value = fields[name];
      if (!USER_FIELDS.includes(name)) setKey(extra, name, value);
      else if (value !== UNDEFINED) bounded[name] = text(value);
    }
    for (const _ in extra) {
      bounded.data = extra;
      break;
    }
    if (options.sendDefaultPii !== true) delete bounded.ip_address;
    return bounded;
  });
  fix('breadcrumbs', ({ values }) => ({
    values: values
      .map((crumb: Json) =>
        guard(() => {
          const { type, category, message, level, timestamp, data } = crumb;
          const bounded: Json = { timestamp: typeof timestamp === 'number' ? timestamp : undefined, data: bag(data) };
          if (typeof type === 'string') bounded.type = type;
          if (typeof category === 'string') bounded.category = category;
          // A console line may be megabytes long.
          if (message != null) bounded.message = truncate(text(normalizeFiltered(message, 1)), maxLength);
          if (LEVELS.includes(level)) bounded.level = level;
          return bounded;
        }),
      )
      .filter(Boolean),
  }));
  // Sentry's SDKs send a top-level `message`, which the schema knows as `logentry.message`.
  if (typeof out.message === 'string' && !out.logentry) out.logentry = { message: out.message };
  delete out.message;
  return out as Event;
}
