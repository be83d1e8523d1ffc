// Wire payloads of the Sentry event protocol, as far as Faultline writes them. Field names are the
// protocol's (snake_case); every optional field is left out rather than set to null.
// Source of truth: ../shared/schemas/event.schema.json (Relay's event schema).

export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

export interface StackFrame {
  filename?: string;
  abs_path?: string;
  function?: string;
  module?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  vars?: Record<string, unknown>;
}

export interface Stacktrace {
  frames: StackFrame[];
}

export interface Mechanism {
  type: string;
  handled?: boolean;
  synthetic?: boolean;
  source?: string;
  exception_id?: number;
  parent_id?: number;
  is_exception_group?: boolean;
  data?: Record<string, unknown>;
}

export interface Exception {
  type?: string;
  value?: string;
  module?: string;
  stacktrace?: Stacktrace;
  mechanism?: Mechanism;
}

export interface Breadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: SeverityLevel;
  data?: Record<string, unknown>;
  /** Seconds since the epoch. */
  timestamp?: number;
}

/** The protocol's user object is closed: anything beyond these keys goes in `data`. */
export interface User {
  id?: string;
  email?: string;
  username?: string;
  name?: string;
  ip_address?: string;
  segment?: string;
  data?: Record<string, unknown>;
}

export interface RequestData {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  query_string?: string;
  cookies?: Record<string, string>;
  data?: unknown;
  env?: Record<string, string>;
}

export interface SdkInfo {
  name: string;
  version: string;
  integrations?: string[];
  packages?: Array<{ name: string; version: string }>;
}

export type Primitive = string | number | boolean | bigint | symbol | null | undefined;
export type Context = Record<string, unknown>;

export interface Event {
  event_id?: string;
  /** Seconds since the epoch, with fractions. */
  timestamp?: number;
  platform?: string;
  level?: SeverityLevel;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  environment?: string;
  logentry?: { message?: string; formatted?: string; params?: unknown[] };
  exception?: { values: Exception[] };
  breadcrumbs?: { values: Breadcrumb[] };
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  user?: User;
  contexts?: Record<string, Context>;
  request?: RequestData;
  sdk?: SdkInfo;
  fingerprint?: string[];
  modules?: Record<string, string>;
}

/** What a hook knows about a capture besides the value itself. */
export interface EventHint {
  event_id?: string;
  mechanism?: Partial<Mechanism>;
  /** The value that was thrown or passed to `captureException`, untouched. */
  originalException?: unknown;
  /** An Error made at the capture site, for a stack when the value has none. */
  syntheticException?: Error;
  data?: Record<string, unknown>;
}

export interface BreadcrumbHint {
  [key: string]: unknown;
}

/** Why an event was not sent: the protocol's client-report reasons. */
export type DiscardReason =
  | 'before_send'
  | 'event_processor'
  | 'network_error'
  | 'queue_overflow'
  | 'ratelimit_backoff'
  | 'sample_rate'
  | 'send_error'
  | 'internal_sdk_error'
  | 'cache_overflow'
  | 'buffer_overflow'
  | 'backpressure';

/** Rate-limit and client-report categories (item type `event` is category `error`). */
export type DataCategory = 'error' | 'default' | 'attachment' | 'session' | 'internal' | 'monitor';
