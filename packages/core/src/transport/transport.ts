import { binary } from '../envelope-bytes';
import type { Envelope } from '../envelope';
import type { DataCategory, DiscardReason } from '../types';
import type { Timers } from './queue';
import { createSender, retryWithBackoff, type RetryFactory } from './sender';
import { createStoreLayer } from './store-layer';
import type { EnvelopeStore } from './store';

// CONTRACT (owned by the transport work): keep these names; add the implementation below them.

export interface TransportRequest {
  /** The serialized envelope, `sent_at` already written. */
  body: string | Uint8Array;
}

export interface TransportResponse {
  /** Absent when the request failed at the network level. */
  statusCode?: number;
  headers?: {
    'x-sentry-rate-limits'?: string | null;
    'retry-after'?: string | null;
  };
}

/**
 * The one thing a platform supplies: make one HTTP request. Rejects on network failure. It must
 * time out on its own: requests go one at a time, so one that never settles holds up the rest.
 */
export type RequestExecutor = (request: TransportRequest) => PromiseLike<TransportResponse>;

export interface TransportOptions {
  /** The envelope endpoint, auth in the query string (or the tunnel URL). */
  url: string;
  /** Count a drop for the next client report. Never called for client reports themselves. */
  recordDroppedEvent: (reason: DiscardReason, category: DataCategory, quantity?: number) => void;
  /** Most envelopes waiting at once (default 64). */
  bufferSize?: number;
  /** Most bytes waiting at once (default 8 MiB). */
  maxQueueBytes?: number;
  /** Extra request headers a server platform may add (browsers must not: no CORS preflight). */
  headers?: Record<string, string>;
  /** Retry a 5xx response like a network failure before counting `send_error` (default true). */
  retryOn5xx?: boolean;
  /** The retry budget for network failures (and 5xx). */
  retry?: RetryOptions;
  /**
   * Where envelopes that could not be sent (server unreachable or failing, queue full) are kept for
   * a later try, across restarts. Without one they are counted as lost.
   */
  store?: EnvelopeStore;
  /**
   * How long after start the store's envelopes from earlier runs begin to go out, ms; the actual
   * wait is jittered up to twice that, so instances restarted together do not all send at once
   * (default 1000).
   */
  drainDelayMs?: number;
}

export interface RetryOptions {
  /** Tries in all, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry; doubles for each next one, with jitter (default 1 s). */
  baseDelayMs?: number;
  /** Longest wait between tries (default 30 s). */
  maxDelayMs?: number;
}

export interface Transport {
  /** Queues the envelope; resolves when it was sent, stored or dropped. Never rejects. */
  send(envelope: Envelope): PromiseLike<void>;
  /** Resolves true once everything queued before the call is settled, false at the timeout. */
  flush(timeoutMs?: number): PromiseLike<boolean>;
  /**
   * The process is about to exit (Node: an uncaught exception): with a store that writes
   * synchronously (`pushSync`), every envelope not delivered yet is written to it now, and so is
   * every one sent from now on, before it is tried; one delivered after all is removed again, so it
   * is never sent twice. The store is no longer drained.
   */
  prepareForExit?(): void;
}

export type TransportFactory = (options: TransportOptions) => Transport;

/** The clock, timers and randomness the transport uses; tests and platforms may hand in their own. */
export interface TransportEnv {
  now?: () => number;
  random?: () => number;
  timers?: Timers;
}

/**
 * The transport of platforms with an envelope store (`options.store`, Node's disk spool): the
 * sender's queue, rate limits and retries, with what could not be sent kept in the store and sent
 * later (./store-layer.ts), and byte payloads (attachments). Without a store it is
 * `createBaseTransport` with byte payloads.
 */
export function createTransport(options: TransportOptions, makeRequest: RequestExecutor, env: TransportEnv = {}): Transport {
  const store = options.store;
  return createSender(options, makeRequest, env, retryWithBackoff, binary, store && ((parts) => createStoreLayer(store, options.drainDelayMs, parts)));
}

/**
 * The transport of platforms without a store and without byte payloads (browsers): sends envelopes
 * one at a time, in order, drops rate-limited items before any work, and counts every drop for the
 * next client report. Failures are tried again as `retry` says (the npm browser package passes
 * `retryWithBackoff`); without it, once (the CDN bundle). `options.store` is ignored.
 */
export function createBaseTransport(options: TransportOptions, makeRequest: RequestExecutor, env?: TransportEnv, retry?: RetryFactory): Transport {
  return createSender(options, makeRequest, env, retry);
}
