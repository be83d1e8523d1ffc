import { CLIENT_IP_HEADERS } from './request-data';
import type { Event } from './types';

// Privacy by default: values of fields whose names look secret never leave the app, and neither
// does the client's address. Runs on the event as it will be sent (after `normalizeEvent`, so plain
// JSON, bounded). The default names follow Sentry's server-side scrubbing defaults
// (https://docs.sentry.io/security-legal-pii/scrubbing/server-side-scrubbing/) plus cookies and
// sessions; matching ignores case and finds the name anywhere in the key, as Sentry's does.

export const DEFAULT_DENY_FIELDS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'auth',
  'credential',
  'private_key',
  'privatekey',
  'mysql_pwd',
  'bearer',
  'cookie',
  'session',
  'csrf',
  'xsrf',
  'jwt',
];

export const FILTERED = '[Filtered]';

export interface ScrubOptions {
  /** Names (substrings, any case) and patterns of fields to filter; default DEFAULT_DENY_FIELDS. */
  denyFields?: ReadonlyArray<string | RegExp>;
  /** Turns the default list off and keeps the client's address (an explicit `denyFields` still applies). */
  sendDefaultPii?: boolean;
}

type Json = Record<string, unknown>;
type Matcher = (name: string) => boolean;

// Deep enough for any normalized event; a bound all the same, for the stack's sake.
const MAX_DEPTH = 64;
const matchers = new WeakMap<object, Matcher | undefined>();

/** A test for field names; undefined when nothing is denied. Never throws. */
export function fieldMatcher(patterns: ReadonlyArray<string | RegExp>): Matcher | undefined {
  if (matchers.has(patterns)) return matchers.get(patterns);
  const words: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (typeof pattern === 'string' && pattern) words.push(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    else if (pattern instanceof RegExp) regexps.push(pattern);
  }
  const anyWord = words.length ? new RegExp(words.join('|'), 'i') : undefined;
  // `search` ignores `lastIndex`, so a /g pattern matches the same way every time.
  const matcher: Matcher | undefined =
    anyWord || regexps.length ? (name) => (anyWord?.test(name) ?? false) || regexps.some((re) => name.search(re) !== -1) : undefined;
  matchers.set(patterns, matcher);
  return matcher;
}

/**
 * Filters the event in place: the values of secret-looking fields become `[Filtered]` in extras,
 * contexts, breadcrumb data, user data and request data, headers, cookies, env and query string.
 * Unless `sendDefaultPii`, the client's address (`user.ip_address`, `REMOTE_ADDR`, headers such as
 * `X-Forwarded-For`) and request cookies are removed too. Never throws; returns the event.
 */
export function scrubEvent(event: Event, options: ScrubOptions = {}): Event {
  try {
    const pii = options.sendDefaultPii === true;
    const denied = fieldMatcher(options.denyFields ?? (pii ? [] : DEFAULT_DENY_FIELDS));
    const json = event as unknown as Json;
    const user = asJson(json.user);
    const request = asJson(json.request);
    if (!pii) {
      if (user) delete user.ip_address;
      if (request) {
        delete request.cookies;
        const env = asJson(request.env);
        if (env) delete env.REMOTE_ADDR;
        const headers = asJson(request.headers);
        for (const name of Object.keys(headers ?? {})) if (CLIENT_IP_HEADERS.has(name.toLowerCase())) delete headers![name];
      }
    }
    if (!denied) return event;
    scrubValues(json.extra, denied, 0);
    scrubValues(json.contexts, denied, 0);
    if (user) scrubValues(user.data, denied, 0);
    const breadcrumbs = asJson(json.breadcrumbs)?.values;
    if (Array.isArray(breadcrumbs)) for (const crumb of breadcrumbs) scrubValues(asJson(crumb)?.data, denied, 0);
    if (request) {
      for (const key of ['data', 'headers', 'cookies', 'env']) scrubValues(request[key], denied, 0);
      if (typeof request.query_string === 'string') request.query_string = scrubQuery(request.query_string, denied);
      else scrubValues(request.query_string, denied, 0);
    }
  } catch {
    // A normalized event is plain data; should something still fail, the event goes as it is.
  }
  return event;
}

/** Filters, in place, the values of denied keys at any depth, and of `[name, value]` pairs. */
function scrubValues(value: unknown, denied: Matcher, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    const [name] = value;
    // A list of pairs, as headers and cookies may be sent.
    if (value.length === 2 && typeof name === 'string' && denied(name)) {
      value[1] = FILTERED;
      return;
    }
    for (const item of value) scrubValues(item, denied, depth + 1);
    return;
  }
  const object = value as Json;
  for (const key of Object.keys(object)) {
    if (denied(key)) object[key] = FILTERED;
    else scrubValues(object[key], denied, depth + 1);
  }
}

function scrubQuery(query: string, denied: Matcher): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && denied(decodeName(name)) ? `${name}=${encodeURIComponent(FILTERED)}` : pair;
    })
    .join('&');
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function asJson(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
