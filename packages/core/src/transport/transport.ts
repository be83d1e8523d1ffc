import type { EncodedItem, Envelope, EnvelopeHeader, EnvelopeItemType } from '../envelope';
import { encodeItem, itemTypeToCategory, writeEnvelope } from '../envelope';
import { logger } from '../logger';
import type { DataCategory, DiscardReason } from '../types';
import type { Timers } from './queue';
import { createQueue, defaultTimers } from './queue';
import type { RateLimits } from './rate-limits';
import { isRateLimited, updateRateLimits } from './rate-limits';

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
  /** Queues the envelope; resolves when it was sent or dropped. Never rejects. */
  send(envelope: Envelope): PromiseLike<void>;
  /** Resolves true once everything queued before the call is settled, false at the timeout. */
  flush(timeoutMs?: number): PromiseLike<boolean>;
}

export type TransportFactory = (options: TransportOptions) => Transport;

/** The clock, timers and randomness the transport uses; tests and platforms may hand in their own. */
export interface TransportEnv {
  now?: () => number;
  random?: () => number;
  timers?: Timers;
}

const DEFAULT_BUFFER_SIZE = 64;
const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BASE_DELAY_MS = 1_000;
const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * Sends envelopes one at a time, in the order they were queued: a concurrency of 1 keeps events in
 * order at the server and keeps the load an app puts on a struggling server low. Rate-limited items
 * are dropped before any work is done; every drop is counted for the next client report.
 */
export function createTransport(
  options: TransportOptions,
  makeRequest: RequestExecutor,
  env: TransportEnv = {},
): Transport {
  const now = env.now ?? (() => Date.now());
  const random = env.random ?? Math.random;
  const timers = env.timers ?? defaultTimers;
  const maxQueueBytes = positive(options.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES);
  const retryOn5xx = options.retryOn5xx !== false;
  const attempts = positive(options.retry?.attempts, DEFAULT_ATTEMPTS);
  const baseDelayMs = positive(options.retry?.baseDelayMs, DEFAULT_BASE_DELAY_MS);
  const maxDelayMs = positive(options.retry?.maxDelayMs, DEFAULT_MAX_DELAY_MS);
  const bufferSize = positive(options.bufferSize, DEFAULT_BUFFER_SIZE);
  const queue = createQueue<void>(bufferSize, 1, timers);
  let limits: RateLimits = {};
  let queuedBytes = 0;

  function countDropped(reason: DiscardReason, types: readonly EnvelopeItemType[]): void {
    for (const type of types) {
      // Our own reports are never reported as lost: that could feed itself forever.
      if (type === 'client_report') continue;
      try {
        options.recordDroppedEvent(reason, itemTypeToCategory(type), 1);
      } catch (error) {
        logger.error('recordDroppedEvent threw:', error);
      }
    }
  }

  /** The items whose category is not rate limited right now; the others are counted as dropped. */
  function withoutLimited<I>(items: readonly I[], typeOf: (item: I) => EnvelopeItemType): I[] {
    const at = now();
    const kept: I[] = [];
    const limited: EnvelopeItemType[] = [];
    for (const item of items) {
      const type = typeOf(item);
      if (isRateLimited(limits, itemTypeToCategory(type), at)) limited.push(type);
      else kept.push(item);
    }
    if (limited.length) {
      logger.log(`Dropped ${limited.length} rate-limited envelope item(s)`);
      countDropped('ratelimit_backoff', limited);
    }
    return kept;
  }

  /**
   * The one place an envelope is finally given up. A store (disk, IndexedDB) hooks in here to keep
   * what was lost to the network (`network_error`) for a later try.
   */
  function giveUp(items: readonly EncodedItem[], reason: DiscardReason): void {
    logger.warn(`Dropped an envelope: ${reason}`);
    countDropped(reason, items.map((item) => item.type));
  }

  function backoffMs(retry: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
    // Half fixed, half random: clients that failed together do not all come back together.
    return ceiling / 2 + (random() * ceiling) / 2;
  }

  async function deliver(header: EnvelopeHeader, encoded: readonly EncodedItem[]): Promise<void> {
    let items = encoded;
    for (let attempt = 1; ; attempt++) {
      // Limits may have arrived while this envelope waited in the queue or between tries.
      items = withoutLimited(items, (item) => item.type);
      if (!items.length) return;

      let response: TransportResponse | undefined;
      try {
        response = await makeRequest({ body: writeEnvelope(header, items, now) });
      } catch (error) {
        logger.warn('Request failed:', error);
      }
      const status = response?.statusCode;
      if (response) limits = updateRateLimits(limits, response, now());

      if (status !== undefined && status >= 200 && status < 300) return;
      // The server already counts what it rate-limits, so a 429 is not reported again.
      if (status === 429) return;
      const retriable = status === undefined || (status >= 500 && retryOn5xx);
      if (retriable && attempt < attempts) {
        const delay = backoffMs(attempt);
        await new Promise<void>((resolve) => timers.setTimeout(resolve, delay));
        continue;
      }
      giveUp(items, status === undefined ? 'network_error' : 'send_error');
      return;
    }
  }

  function overflow(types: EnvelopeItemType[]): PromiseLike<void> {
    logger.warn('Transport queue is full: dropped an envelope');
    countDropped('queue_overflow', types);
    return Promise.resolve();
  }

  function send(envelope: Envelope): PromiseLike<void> {
    try {
      const [header, items] = envelope;
      const live = withoutLimited(items, (item) => item[0].type);
      if (!live.length) return Promise.resolve();
      // Checked before serializing, so a full queue costs no work.
      if (queue.size() >= bufferSize) return overflow(live.map((item) => item[0].type));

      const encoded: EncodedItem[] = [];
      for (const item of live) {
        const encodedItem = encodeItem(item);
        if (encodedItem) encoded.push(encodedItem);
        else countDropped('internal_sdk_error', [item[0].type]);
      }
      if (!encoded.length) return Promise.resolve();

      let bytes = 0;
      for (const item of encoded) bytes += item.size;
      const task =
        queuedBytes + bytes <= maxQueueBytes
          ? queue.add(() => deliver(header, encoded).finally(() => (queuedBytes -= bytes)))
          : undefined;
      if (!task) return overflow(encoded.map((item) => item.type));
      // Safe after `add` started the producer: its `finally` runs on a later tick.
      queuedBytes += bytes;
      return Promise.resolve(task).then(undefined, (error: unknown) => {
        logger.error('Sending an envelope failed:', error);
      });
    } catch (error) {
      logger.error('Could not queue an envelope:', error);
      return Promise.resolve();
    }
  }

  function flush(timeoutMs?: number): PromiseLike<boolean> {
    try {
      return queue.drain(timeoutMs).catch(() => false);
    } catch {
      return Promise.resolve(false);
    }
  }

  return { send, flush };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;
}
