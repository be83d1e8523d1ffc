import type { NormalizeEventOptions } from './event-limits';
import type { Integration } from './integration';
import type { ExoticValue } from './normalize';
import { warnOnce } from './logger';
import type { StackParser } from './stack-parser';
import type { TransportFactory, TransportOptions } from './transport/transport';
import type { Breadcrumb, BreadcrumbHint, Event, EventHint, SdkInfo } from './types';

/** What a user passes to `init`. Names and meanings follow @sentry/node and @sentry/browser. */
export interface Options {
  dsn?: string;
  release?: string;
  environment?: string;
  dist?: string;
  /** Share of error events sent, 0..1 (default 1). */
  sampleRate?: number;
  /** Breadcrumbs kept per scope (default 100). */
  maxBreadcrumbs?: number;
  /** Change or drop (return null) an event before it is sent; may be async. */
  beforeSend?: (event: Event, hint: EventHint) => Event | null | PromiseLike<Event | null>;
  beforeBreadcrumb?: (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => Breadcrumb | null;
  /** Errors whose message matches (substring or RegExp) are not sent. */
  ignoreErrors?: Array<string | RegExp>;
  /** Errors thrown from scripts whose URL matches are not sent. */
  denyUrls?: Array<string | RegExp>;
  /** When set, only errors thrown from scripts whose URL matches are sent. */
  allowUrls?: Array<string | RegExp>;
  /** Send cookies, auth headers, client IP and similar personal data (default false). */
  sendDefaultPii?: boolean;
  /**
   * Field names whose values are sent as `[Filtered]` in extras, contexts, breadcrumb data, user data
   * and request data: strings match anywhere in the name, ignoring case. Default: names that look
   * secret (`password`, `secret`, `token`, `api_key`, `auth`, `cookie`, ...; see DEFAULT_DENY_FIELDS),
   * or none with `sendDefaultPii: true`. Giving a list replaces the default.
   */
  denyFields?: Array<string | RegExp>;
  /** Attach a stack trace to messages too (default false). */
  attachStacktrace?: boolean;
  /** Depth to which extras, contexts and breadcrumb data are serialized (default 3). */
  normalizeDepth?: number;
  /** Longest string kept for exception values, messages and data strings (default 8192). */
  maxValueLength?: number;
  debug?: boolean;
  /** false turns the SDK off: nothing is captured or sent (default true). */
  enabled?: boolean;
  integrations?: Integration[] | ((defaults: Integration[]) => Integration[]);
  /** The platform's default integrations; false for none. */
  defaultIntegrations?: Integration[] | false;
  transport?: TransportFactory;
  transportOptions?: Partial<TransportOptions> & Record<string, unknown>;
  /** Send envelopes to this URL of your own server, which forwards them (ad blockers, CSP). */
  tunnel?: string;
  /** How long to flush before the process exits on a fatal error, ms (default 2000). */
  shutdownTimeout?: number;
  serverName?: string;
}

/** Options after `init` has resolved platform defaults. */
export interface ClientOptions extends Options {
  stackParser: StackParser;
  transport: TransportFactory;
  integrations: Integration[];
  platform: string;
  sdk: SdkInfo;
  /**
   * The full pipeline pieces (./full-pipeline.ts), which the npm packages' `init` pass in. Without
   * them, options are not validated, only the data users set on events is bounded and reshaped
   * (./event-bounds.ts `boundEvent`), an event over the size limit is dropped (./event-trim.ts
   * `dropOverSize`), a few rare kinds of values serialize as plain objects and a thrown plain object
   * gets a plain message: the CDN bundle's choice, for its size.
   */
  validateOptions?: <O extends Options>(options: O) => O;
  /** The last pass over an event: bounds it, filters secrets, makes it valid for the protocol. */
  cleanEvent?: (event: Event, options: NormalizeEventOptions) => Event;
  /** Makes an event fit `maxBytes`; undefined drops it (counted as `send_error`). */
  fitEvent?: (event: Event, maxBytes: number, keepJson?: boolean) => Event | undefined;
  exoticValue?: ExoticValue;
  objectMessage?: (value: object) => string;
}

type Check = (value: unknown) => boolean;
const isNonNegative: Check = (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v);

// Option names (space-separated), the check their values must pass, and what the warning says.
const CHECKS: Array<[string, Check, string]> = [
  ['dsn release environment dist tunnel serverName', (v) => typeof v === 'string', 'a string'],
  ['sendDefaultPii attachStacktrace debug enabled', (v) => typeof v === 'boolean', 'true or false'],
  ['beforeSend beforeBreadcrumb transport', (v) => typeof v === 'function', 'a function'],
  ['sampleRate', (v) => isNonNegative(v) && (v as number) <= 1, 'a number from 0 to 1'],
  ['maxBreadcrumbs normalizeDepth maxValueLength shutdownTimeout', isNonNegative, 'a number of 0 or more'],
  ['ignoreErrors denyUrls allowUrls denyFields', (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' || p instanceof RegExp), 'an array of strings and RegExps'],
];

/**
 * Drops every option whose value has the wrong type, with one warning each, so the default applies.
 * `undefined` means "not set" and is always fine.
 */
export function validateOptions<O extends Options>(options: O): O {
  const valid = { ...options } as Record<string, unknown>;
  for (const [keys, check, expected] of CHECKS) {
    for (const key of keys.split(' ')) {
      if (valid[key] === undefined || check(valid[key])) continue;
      warnOnce(`Option \`${key}\` must be ${expected}; the default is used instead.`);
      delete valid[key];
    }
  }
  return valid as O;
}
