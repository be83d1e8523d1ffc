// Privacy by default: values of fields whose names look secret never leave the app, and neither
// does the client's address. The filtering happens in the walk that bounds the event
// (./event-limits.ts, ./normalize.ts). The default names follow Sentry's server-side scrubbing defaults
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

/** Whether a field's value must be filtered, by its name. */
export type FieldMatcher = (name: string) => boolean;

const matchers = new WeakMap<object, FieldMatcher | undefined>();

/** A test for field names; undefined when nothing is denied. Never throws. */
export function fieldMatcher(patterns: ReadonlyArray<string | RegExp>): FieldMatcher | undefined {
  if (matchers.has(patterns)) return matchers.get(patterns);
  const words: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (typeof pattern === 'string' && pattern) words.push(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    else if (pattern instanceof RegExp) regexps.push(pattern);
  }
  const anyWord = words.length ? new RegExp(words.join('|'), 'i') : undefined;
  // `search` ignores `lastIndex`, so a /g pattern matches the same way every time.
  const matcher: FieldMatcher | undefined =
    anyWord || regexps.length ? (name) => (anyWord?.test(name) ?? false) || regexps.some((re) => name.search(re) !== -1) : undefined;
  matchers.set(patterns, matcher);
  return matcher;
}

/** The fields to filter under these options. */
export function deniedFields(options: ScrubOptions): FieldMatcher | undefined {
  // Anything but a list (an option nobody validated, in the CDN bundle) gets the default, not nothing.
  const { denyFields } = options;
  return fieldMatcher(Array.isArray(denyFields) ? denyFields : options.sendDefaultPii === true ? [] : DEFAULT_DENY_FIELDS);
}

/** A query string with the values of denied parameter names filtered. */
export function scrubQuery(query: string, denied: FieldMatcher): string {
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
