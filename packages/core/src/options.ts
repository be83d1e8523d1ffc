import type { Integration } from './integration';
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
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isBoolean: Check = (v) => typeof v === 'boolean';
const isFunction: Check = (v) => typeof v === 'function';
const isNonNegative: Check = (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v);
const isRate: Check = (v) => typeof v === 'number' && v >= 0 && v <= 1;
const isPatternList: Check = (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' || p instanceof RegExp);

const CHECKS: Partial<Record<keyof Options, [Check, string]>> = {
  dsn: [isString, 'a string'],
  release: [isString, 'a string'],
  environment: [isString, 'a string'],
  dist: [isString, 'a string'],
  sampleRate: [isRate, 'a number from 0 to 1'],
  maxBreadcrumbs: [isNonNegative, 'a number of 0 or more'],
  beforeSend: [isFunction, 'a function'],
  beforeBreadcrumb: [isFunction, 'a function'],
  ignoreErrors: [isPatternList, 'an array of strings and RegExps'],
  denyUrls: [isPatternList, 'an array of strings and RegExps'],
  allowUrls: [isPatternList, 'an array of strings and RegExps'],
  sendDefaultPii: [isBoolean, 'true or false'],
  attachStacktrace: [isBoolean, 'true or false'],
  normalizeDepth: [isNonNegative, 'a number of 0 or more'],
  maxValueLength: [isNonNegative, 'a number of 0 or more'],
  debug: [isBoolean, 'true or false'],
  enabled: [isBoolean, 'true or false'],
  transport: [isFunction, 'a function'],
  tunnel: [isString, 'a string'],
  shutdownTimeout: [isNonNegative, 'a number of 0 or more'],
  serverName: [isString, 'a string'],
};

/**
 * Drops every option whose value has the wrong type, with one warning each, so the default applies.
 * `undefined` means "not set" and is always fine.
 */
export function validateOptions<O extends Options>(options: O): O {
  const valid = { ...options };
  for (const [key, [check, expected]] of Object.entries(CHECKS) as Array<[keyof Options, [Check, string]]>) {
    const value = valid[key];
    if (value === undefined || check(value)) continue;
    warnOnce(`Option \`${key}\` must be ${expected}; the default is used instead.`);
    delete valid[key];
  }
  return valid;
}
