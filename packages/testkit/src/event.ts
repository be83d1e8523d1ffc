// The receiver's view of an event payload. It came off the wire, so every field is optional and
// nothing here is checked: `validateEvent` is what says whether a payload is valid.

export interface ReceivedFrame {
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

export interface ReceivedMechanism {
  type?: string;
  handled?: boolean;
  synthetic?: boolean;
  source?: string;
  exception_id?: number;
  parent_id?: number;
  is_exception_group?: boolean;
  data?: Record<string, unknown>;
}

export interface ReceivedException {
  type?: string;
  value?: string;
  module?: string;
  stacktrace?: { frames?: ReceivedFrame[] };
  mechanism?: ReceivedMechanism;
}

export interface ReceivedBreadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: string;
  data?: Record<string, unknown>;
  timestamp?: number | string;
}

export interface ReceivedUser {
  id?: string;
  email?: string;
  username?: string;
  name?: string;
  ip_address?: string;
  segment?: string;
  data?: Record<string, unknown>;
}

/** An event payload as the receiver got it (the wire's snake_case names). */
export interface SentryEvent {
  event_id?: string;
  /** Seconds since the epoch, or an RFC 3339 string. */
  timestamp?: number | string;
  platform?: string;
  level?: string;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  environment?: string;
  message?: string | { message?: string; formatted?: string };
  logentry?: { message?: string; formatted?: string; params?: unknown[] };
  exception?: { values?: ReceivedException[] };
  breadcrumbs?: { values?: ReceivedBreadcrumb[] };
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  user?: ReceivedUser;
  contexts?: Record<string, Record<string, unknown>>;
  request?: {
    url?: string;
    method?: string;
    headers?: Record<string, string>;
    query_string?: string;
    cookies?: Record<string, string>;
    data?: unknown;
    env?: Record<string, string>;
  };
  sdk?: { name?: string; version?: string; integrations?: string[]; packages?: Array<{ name?: string; version?: string }> };
  fingerprint?: string[];
  modules?: Record<string, string>;
  [key: string]: unknown;
}
