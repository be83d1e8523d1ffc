import type { Envelope, EnvelopeHeader } from './envelope';
import { createEnvelope } from './envelope';
import type { DataCategory, DiscardReason, SdkInfo } from './types';

// Client reports: https://develop.sentry.dev/sdk/telemetry/client-reports/

export interface DiscardedEvents {
  reason: DiscardReason;
  category: DataCategory;
  quantity: number;
}

/** The `client_report` item payload. */
export interface ClientReport {
  /** Seconds since the epoch. */
  timestamp: number;
  discarded_events: DiscardedEvents[];
}

export interface ClientReports {
  /** Counts `quantity` items dropped for `reason`; a quantity below 1 is ignored. */
  record(reason: DiscardReason, category: DataCategory, quantity?: number): void;
  /** The report of everything recorded since the last take, which clears the counts; undefined when nothing was. */
  take(now?: number): ClientReport | undefined;
  /** How many (reason, category) pairs have counts waiting. */
  size(): number;
}

/** Counts drops per (reason, category) until the client takes them into a report. */
export function createClientReports(): ClientReports {
  let counts = new Map<string, DiscardedEvents>();
  return {
    record(reason, category, quantity = 1) {
      const whole = Math.floor(quantity);
      if (!(whole >= 1) || !Number.isFinite(whole)) return;
      const key = `${reason}:${category}`;
      const entry = counts.get(key);
      if (entry) entry.quantity += whole;
      else counts.set(key, { reason, category, quantity: whole });
    },
    take(now = Date.now()) {
      if (!counts.size) return undefined;
      const discarded_events = [...counts.values()];
      counts = new Map();
      return { timestamp: now / 1000, discarded_events };
    },
    size: () => counts.size,
  };
}

/** An envelope with one `client_report` item; `dsn` only when sending through a tunnel. */
export function clientReportEnvelope(
  report: ClientReport,
  sdk?: Pick<SdkInfo, 'name' | 'version'>,
  dsn?: string,
): Envelope {
  const header: EnvelopeHeader = {};
  if (sdk) header.sdk = { name: sdk.name, version: sdk.version };
  if (dsn) header.dsn = dsn;
  return createEnvelope(header, [[{ type: 'client_report' }, report]]);
}
