import type { BinarySupport, EncodedItem, Envelope, EnvelopeHeader, EnvelopeItemType } from '../envelope';
import { encodeItem, itemTypeToCategory, writeEnvelope } from '../envelope';
import { logger } from '../logger';
import type { DiscardReason } from '../types';
import { createQueue, defaultTimers, type Queue, type Timers } from './queue';
import { disabledUntil, isRateLimited, updateRateLimits, type RateLimits } from './rate-limits';
import type { RequestExecutor, Transport, TransportEnv, TransportOptions, TransportResponse } from './transport';

/** One envelope on its way: its items, serialized once when it was queued. */
export interface Outgoing {
  header: EnvelopeHeader;
  items: EncodedItem[];
  bytes: number;
}

/** When to try an envelope again. Without one, the sender tries each envelope once. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Whether a response with this status (undefined: no response) is worth another try. */
  retriable(status: number | undefined): boolean;
  /** The wait before retry number `retry` (1 for the first). */
  backoffMs(retry: number): number;
}

/** A factory of retry policies, given to `createBaseTransport` by platforms that retry. */
export type RetryFactory = (options: TransportOptions, random: () => number) => RetryPolicy;

/**
 * Network failures (and 5xx, unless `retryOn5xx: false`) are tried again, `options.retry.attempts`
 * tries in all (default 3), after waits that double from `baseDelayMs` (1 s) up to `maxDelayMs`
 * (30 s), half of each wait random so that clients that failed together do not come back together.
 */
export const retryWithBackoff: RetryFactory = (options, random) => {
  const retry = options.retry;
  const baseDelayMs = positive(retry?.baseDelayMs, 1_000);
  const maxDelayMs = positive(retry?.maxDelayMs, 30_000);
  return {
    attempts: positive(retry?.attempts, 3),
    retriable: (status) => status === undefined || (status >= 500 && options.retryOn5xx !== false),
    backoffMs(n) {
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(n - 1, 30));
      return ceiling / 2 + (random() * ceiling) / 2;
    },
  };
};

/** What the sender lends a layer that keeps envelopes it could not send (./store-layer.ts). */
export interface SenderParts extends RetryPolicy {
  queue: Queue<unknown>;
  now(): number;
  random(): number;
  timers: Timers;
  /** Makes one request with `body` and applies the rate limits of its response. Never rejects. */
  request(body: string | Uint8Array): Promise<TransportResponse | undefined>;
  /** Until when (ms) any of these item types is rate limited; 0 when none is. */
  limitedUntil(types: readonly EnvelopeItemType[]): number;
  countDropped(reason: DiscardReason, types: readonly EnvelopeItemType[]): void;
  /** Writes the envelope with `sent_at` now. */
  write(out: Outgoing): string | Uint8Array;
}

/** The hooks of such a layer; the sender alone counts everything as lost that it does not take. */
export interface SenderLayer {
  /**
   * Asked before an envelope is queued (`queued` false) and before each try (true): a promise when
   * the layer takes the envelope instead of it being sent now.
   */
  divert(out: Outgoing, queued: boolean): PromiseLike<void> | undefined;
  /** The queue is full: the layer takes the envelope or counts it lost. */
  overflow(out: Outgoing): PromiseLike<void>;
  /** The envelope entered (true) or left (false) the queue. */
  queued(out: Outgoing, entered: boolean): void;
  /** The envelope was delivered (true) or refused, or all its items were rate limited (false). */
  settled(out: Outgoing, delivered: boolean): void;
  /** Its last try failed with `reason`; true when the layer kept it. */
  failed(out: Outgoing, reason: DiscardReason): boolean;
  /** After the queue drained (`done` says whether in time): what the layer still has to do. */
  flush(done: boolean, left: () => number | undefined): Promise<boolean>;
  prepareForExit(): void;
}

const DEFAULT_BUFFER_SIZE = 64;
const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;

// Each envelope tried once; what fails is counted (`network_error`, `send_error`) at once.
const ONE_TRY: RetryPolicy = { attempts: 1, retriable: () => false, backoffMs: () => 0 };

/**
 * Sends envelopes one at a time, in the order they were queued: a concurrency of 1 keeps events in
 * order at the server and keeps the load an app puts on a struggling server low. Rate-limited items
 * are dropped before any work is done, failures are tried again as `retry` says (once without it),
 * and every drop is counted for the next client report. A `layer` may keep what cannot be sent.
 */
export function createSender(
  options: TransportOptions,
  makeRequest: RequestExecutor,
  env: TransportEnv = {},
  retry?: RetryFactory,
  bytes?: BinarySupport,
  makeLayer?: (parts: SenderParts) => SenderLayer,
): Transport {
  const now = env.now ?? (() => Date.now());
  const timers = env.timers ?? defaultTimers;
  const random = env.random ?? Math.random;
  const maxQueueBytes = positive(options.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES);
  const bufferSize = positive(options.bufferSize, DEFAULT_BUFFER_SIZE);
  const queue = createQueue<unknown>(bufferSize, 1, timers);
  let limits: RateLimits = {};
  let queuedBytes = 0;

  const parts: SenderParts = {
    ...(retry?.(options, random) ?? ONE_TRY),
    queue,
    now,
    random,
    timers,
    async request(body) {
      let response: TransportResponse | undefined;
      try {
        response = await makeRequest({ body });
      } catch (error) {
        logger.warn('Request failed:', error);
      }
      if (response) limits = updateRateLimits(limits, response, now());
      return response;
    },
    limitedUntil: (types) => Math.max(0, ...types.map((type) => disabledUntil(limits, itemTypeToCategory(type)))),
    countDropped(reason, types) {
      for (const type of types) {
        // Our own reports are never reported as lost: that could feed itself forever.
        if (type === 'client_report') continue;
        try {
          options.recordDroppedEvent(reason, itemTypeToCategory(type), 1);
        } catch (error) {
          logger.error('recordDroppedEvent threw:', error);
        }
      }
    },
    write: (out) => writeEnvelope(out.header, out.items, now, bytes),
  };
  const layer = makeLayer?.(parts);
  const done = Promise.resolve();

  /** The items whose category is not rate limited right now; the others are counted as dropped. */
  function withoutLimited<I>(items: readonly I[], typeOf: (item: I) => EnvelopeItemType): I[] {
    const at = now();
    const limited: EnvelopeItemType[] = [];
    const kept = items.filter((item) => !(isRateLimited(limits, itemTypeToCategory(typeOf(item)), at) && limited.push(typeOf(item))));
    if (limited.length) parts.countDropped('ratelimit_backoff', limited);
    return kept;
  }

  function giveUp(out: Outgoing, reason: DiscardReason): PromiseLike<void> {
    logger.warn(`Dropped an envelope: ${reason}`);
    parts.countDropped(reason, out.items.map((item) => item.type));
    return done;
  }

  async function deliver(out: Outgoing): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Limits may have arrived while this envelope waited in the queue or between tries.
      out.items = withoutLimited(out.items, (item) => item.type);
      if (!out.items.length) return layer?.settled(out, false);
      if (layer?.divert(out, true)) return;
      const status = (await parts.request(parts.write(out)))?.statusCode;
      // The server already counts what it rate-limits, so a 429 is not reported again.
      if ((status! >= 200 && status! < 300) || status === 429) return layer?.settled(out, status !== 429);
      const retriable = parts.retriable(status);
      if (retriable && attempt < parts.attempts) {
        const delay = parts.backoffMs(attempt);
        await new Promise<void>((resolve) => timers.setTimeout(resolve, delay));
        continue;
      }
      const reason = status === undefined ? 'network_error' : 'send_error';
      if (retriable && layer?.failed(out, reason)) return;
      layer?.settled(out, false);
      return void giveUp(out, reason);
    }
  }

  function overflow(out: Outgoing): PromiseLike<void> {
    return layer ? layer.overflow(out) : giveUp(out, 'queue_overflow');
  }

  function send(envelope: Envelope): PromiseLike<void> {
    try {
      const [header, items] = envelope;
      const live = withoutLimited(items, (item) => item[0].type);
      // A client report is small, and holds the count of everything else dropped: it always gets in.
      const report = live.every((item) => item[0].type === 'client_report');
      // Checked before serializing, so a full queue without a layer costs no work.
      const full = !report && queue.size() >= bufferSize;
      if (full && !layer) {
        parts.countDropped('queue_overflow', live.map((item) => item[0].type));
        return done;
      }
      const out: Outgoing = { header, items: [], bytes: 0 };
      for (const item of live) {
        const encoded = encodeItem(item, bytes);
        if (encoded) {
          out.items.push(encoded);
          out.bytes += encoded.size;
        } else parts.countDropped('internal_sdk_error', [item[0].type]);
      }
      if (!out.items.length) return done;
      const diverted = layer?.divert(out, false);
      if (diverted) return diverted;
      if (full || (!report && queuedBytes + out.bytes > maxQueueBytes)) return overflow(out);
      layer?.queued(out, true);
      const task = queue.add(
        () =>
          deliver(out).finally(() => {
            queuedBytes -= out.bytes;
            layer?.queued(out, false);
          }),
        { evenIfFull: report },
      );
      if (!task) {
        layer?.queued(out, false);
        return overflow(out);
      }
      // Safe after `add` started the producer: its `finally` runs on a later tick.
      queuedBytes += out.bytes;
      return task.then(undefined, (error: unknown) => logger.error('Sending an envelope failed:', error));
    } catch (error) {
      logger.error('Could not queue an envelope:', error);
      return done;
    }
  }

  async function flush(timeoutMs?: number): Promise<boolean> {
    try {
      const deadline = timeoutMs! > 0 ? now() + timeoutMs! : undefined;
      const drained = await queue.drain(timeoutMs);
      return layer ? await layer.flush(drained, () => (deadline === undefined ? undefined : Math.max(0, deadline - now()))) : drained;
    } catch (error) {
      logger.error('Flush failed:', error);
      return false;
    }
  }

  return layer ? { send, flush, prepareForExit: layer.prepareForExit } : { send, flush };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;
}
