import { isObject } from './envelope';

// https://develop.sentry.dev/sdk/telemetry/client-reports/

export interface DiscardedEvents {
  reason: string;
  category: string;
  quantity: number;
}

export interface ClientReport {
  /** Seconds since the epoch, or an RFC 3339 string. */
  timestamp: number | string;
  discarded_events: DiscardedEvents[];
}

const REASONS = new Set([
  'queue_overflow', 'cache_overflow', 'buffer_overflow', 'ratelimit_backoff', 'network_error',
  'sample_rate', 'before_send', 'event_processor', 'send_error', 'internal_sdk_error',
  'insufficient_data', 'backpressure',
]);
const CATEGORIES = new Set([
  'default', 'error', 'transaction', 'security', 'attachment', 'session', 'internal', 'profile',
  'profile_chunk', 'replay', 'monitor', 'span', 'log_item', 'log_byte', 'feedback', 'metric_bucket',
]);

/** Checks the shape of a `client_report` item payload; returns one message per problem. */
export function validateClientReport(report: unknown): string[] {
  if (!isObject(report)) return ['client report must be a JSON object'];
  const problems: string[] = [];
  const { timestamp, discarded_events: discarded } = report;
  if (typeof timestamp !== 'number' && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) {
    problems.push(`"timestamp" must be seconds or an RFC 3339 string, got ${JSON.stringify(timestamp)}`);
  }
  if (!Array.isArray(discarded)) {
    problems.push('"discarded_events" must be an array');
    return problems;
  }
  discarded.forEach((entry: unknown, i) => {
    const at = `discarded_events[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at} must be an object`);
      return;
    }
    if (typeof entry.reason !== 'string' || !REASONS.has(entry.reason)) {
      problems.push(`${at}.reason: unknown reason ${JSON.stringify(entry.reason)}`);
    }
    if (typeof entry.category !== 'string' || !CATEGORIES.has(entry.category)) {
      problems.push(`${at}.category: unknown category ${JSON.stringify(entry.category)}`);
    }
    if (typeof entry.quantity !== 'number' || !Number.isInteger(entry.quantity) || entry.quantity < 1) {
      problems.push(`${at}.quantity must be a positive integer, got ${JSON.stringify(entry.quantity)}`);
    }
  });
  return problems;
}

/** Sums the quantities of every report by `reason:category`. */
export function sumDiscarded(reports: readonly ClientReport[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const report of reports) {
    for (const { reason, category, quantity } of Array.isArray(report.discarded_events) ? report.discarded_events : []) {
      const key = `${reason}:${category}`;
      totals[key] = (totals[key] ?? 0) + (typeof quantity === 'number' ? quantity : 0);
    }
  }
  return totals;
}
