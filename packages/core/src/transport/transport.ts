import type { EncodedItem, Envelope, EnvelopeHeader, EnvelopeItemType } from '../envelope';
import { encodeItem, itemTypeToCategory, writeEnvelope } from '../envelope';
import { logger } from '../logger';
import type { DataCategory, DiscardReason } from '../types';
import type { Timers } from './queue';
import { createQueue, defaultTimers } from './queue';
import type { RateLimits } from './rate-limits';
import { disabledUntil, isRateLimited, updateRateLimits } from './rate-limits';
import type { DroppedEnvelope, EnvelopeStore, StoredEnvelope } from './store';
import { storeKey } from './store';

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

const DEFAULT_BUFFER_SIZE = 64;
const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BASE_DELAY_MS = 1_000;
const DEFAULT_MAX_DELAY_MS = 30_000;
const DEFAULT_DRAIN_DELAY_MS = 1_000;

/** Why a drain of the store stopped: nothing left, the queue full, or a reason to wait (offline, rate limited, exiting). */
type DrainStop = 'empty' | 'busy' | 'waiting';

/** One envelope on its way: serialized items, and where it stands with the store. */
interface Outgoing {
  header: EnvelopeHeader;
  items: EncodedItem[];
  bytes: number;
  /** Its store entry, made once (the key fixes its place in the store); `stored` once written. */
  entry?: StoredEnvelope;
  stored?: boolean;
}

/**
 * Sends envelopes one at a time, in the order they were queued: a concurrency of 1 keeps events in
 * order at the server and keeps the load an app puts on a struggling server low. Rate-limited items
 * are dropped before any work is done; every drop is counted for the next client report.
 *
 * With a store, nothing is lost to an outage: an envelope still failing after its retries is
 * stored, and the transport goes offline (every envelope goes straight to the store) until a
 * probe of the store's oldest entry, with growing pauses, gets through. A full queue spills to the
 * store too. While envelopes of this run wait there, new ones queue up behind them in the store,
 * so the server still gets them in order; the store is sent oldest first, one at a time, pausing
 * while a category is rate limited. An earlier run's envelopes go out in the same way, a little
 * after start.
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
  const store = options.store;
  const queue = createQueue<boolean | 'empty' | void>(bufferSize, 1, timers);
  let limits: RateLimits = {};
  let queuedBytes = 0;

  /** Envelopes queued or being sent (what `prepareForExit` must save). */
  const unsent = new Set<Outgoing>();
  /** Store writes and removals under way, for `flush`. */
  const storeWork = new Set<PromiseLike<unknown>>();
  /** Envelopes whose asynchronous store write has not finished, and that write. */
  const writing = new Map<Outgoing, PromiseLike<void>>();
  /** Keys of stored envelopes that are also being sent live (after `prepareForExit`). */
  const liveKeys = new Set<string>();
  /** 5xx answers per stored key: a server that always fails on one envelope must not block the rest. */
  const serverErrors = new Map<string, number>();
  /** The last try failed for network reasons: envelopes go to the store until a drain gets through. */
  let offline = false;
  let exiting = false;
  /** Whether the store may hold entries (it may, from an earlier run, until a take finds none). */
  let backlog = store !== undefined;
  /**
   * Envelopes of this run wait in the store: new ones go there too, behind them, so the server gets
   * them in the order they were captured. (An earlier run's do not hold up this run's.)
   */
  let behind = false;
  /** The drain under way, resolving with why it stopped. */
  let draining: Promise<DrainStop> | undefined;
  let drainTimer: unknown;
  let failedDrains = 0;
  /** The store's next entry, taken while the one before it is being sent. */
  let prefetched: Promise<StoredEnvelope | undefined> | undefined;

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

  /** The one place an envelope is finally given up. */
  function giveUp(items: readonly EncodedItem[], reason: DiscardReason): void {
    logger.warn(`Dropped an envelope: ${reason}`);
    countDropped(reason, items.map((item) => item.type));
  }

  function backoffMs(retry: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry - 1, 30));
    // Half fixed, half random: clients that failed together do not all come back together.
    return ceiling / 2 + (random() * ceiling) / 2;
  }

  function track<T>(work: PromiseLike<T>): void {
    storeWork.add(work);
    const done = (): void => void storeWork.delete(work);
    work.then(done, done);
  }

  function countOverflow(dropped: DroppedEnvelope[] | undefined): void {
    for (const entry of Array.isArray(dropped) ? dropped : []) {
      logger.warn('The envelope store is full: dropped its oldest envelope');
      countDropped('cache_overflow', entry.types);
    }
  }

  function entryOf(out: Outgoing): StoredEnvelope {
    out.entry ??= { key: storeKey(now()), body: writeEnvelope(out.header, out.items, now), types: out.items.map((item) => item.type) };
    return out.entry;
  }

  /**
   * Hands the envelope to the store (once); synchronously once the process is exiting, where the
   * store can. Returns the write under way, if any. Without a store, or when the write fails, the
   * envelope is lost for `reason`.
   */
  function keep(out: Outgoing, reason: DiscardReason): PromiseLike<void> | undefined {
    if (!store) {
      giveUp(out.items, reason);
      return undefined;
    }
    backlog = true;
    behind = true;
    // Offline, only the drain's probe finds out when the server is back.
    if (offline) scheduleDrain(backoffMs(Math.max(1, failedDrains)));
    if (out.entry) liveKeys.delete(out.entry.key);
    if (exiting && store.pushSync) {
      if (!out.stored && !writeNow(out)) giveUp(out.items, reason);
      return undefined;
    }
    // Written already, or being written.
    if (out.stored || writing.has(out)) return writing.get(out);
    const entry = entryOf(out);
    const items = out.items.map(({ type, line, size }) => ({ type, line, payload: '', size }));
    // Kept from now on, never sent live: the body in the entry is all that is needed.
    out.items = items;
    const write = Promise.resolve()
      .then(() => store.push(entry))
      .then(
        (dropped) => {
          out.stored = true;
          countOverflow(dropped);
        },
        (error: unknown) => {
          logger.error('Could not store an envelope:', error);
          if (!out.stored) giveUp(items, reason);
        },
      )
      .finally(() => {
        writing.delete(out);
        if (!offline) scheduleDrain(0);
      });
    writing.set(out, write);
    track(write);
    return write;
  }

  /** Writes the envelope to the store before returning; false when that failed. */
  function writeNow(out: Outgoing): boolean {
    try {
      const dropped = store?.pushSync?.(entryOf(out));
      if (!dropped) return false;
      out.stored = true;
      countOverflow(dropped);
      return true;
    } catch (error) {
      logger.error('Could not store an envelope:', error);
      return false;
    }
  }

  /** The envelope was delivered or refused: its store entry, if any, goes. */
  function forget(out: Outgoing): void {
    const key = out.entry?.key;
    if (key === undefined || !store || !(out.stored || writing.has(out))) return;
    liveKeys.delete(key);
    removeStored(key);
  }

  function removeStored(key: string): PromiseLike<void> {
    if (!store) return Promise.resolve();
    try {
      if (exiting && store.removeSync) {
        store.removeSync(key);
        return Promise.resolve();
      }
      const removal = Promise.resolve(store.remove(key)).then(undefined, (error: unknown) => {
        logger.error('Could not remove a sent envelope from the store:', error);
      });
      track(removal);
      return removal;
    } catch (error) {
      logger.error('Could not remove a sent envelope from the store:', error);
      return Promise.resolve();
    }
  }

  async function request(body: string | Uint8Array): Promise<TransportResponse | undefined> {
    let response: TransportResponse | undefined;
    try {
      response = await makeRequest({ body });
    } catch (error) {
      logger.warn('Request failed:', error);
    }
    if (response) limits = updateRateLimits(limits, response, now());
    return response;
  }

  function goOffline(): void {
    // The envelopes still queued go to the store before any captured from now on: their keys,
    // which set the order there, are made now.
    if (store) for (const out of unsent) entryOf(out);
    offline = true;
    failedDrains++;
    scheduleDrain(backoffMs(failedDrains));
  }

  function cameOnline(): void {
    offline = false;
    failedDrains = 0;
    if (backlog && !draining) scheduleDrain(0);
  }

  async function deliver(out: Outgoing): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Limits may have arrived while this envelope waited in the queue or between tries.
      out.items = withoutLimited(out.items, (item) => item.type);
      if (!out.items.length) return forget(out);
      // The drain probes the server; until it gets through, trying each envelope would only wait.
      // One that already has its place in the store's order (see goOffline) takes it.
      if (store && (offline || (behind && out.entry && !exiting))) return void keep(out, 'network_error');

      const response = await request(writeEnvelope(out.header, out.items, now));
      const status = response?.statusCode;
      if (status !== undefined && status >= 200 && status < 300) {
        forget(out);
        return cameOnline();
      }
      // The server already counts what it rate-limits, so a 429 is not reported again.
      if (status === 429) return forget(out);
      const retriable = status === undefined || (status >= 500 && retryOn5xx);
      if (retriable && attempt < attempts) {
        const delay = backoffMs(attempt);
        await new Promise<void>((resolve) => timers.setTimeout(resolve, delay));
        continue;
      }
      const reason = status === undefined ? 'network_error' : 'send_error';
      if (retriable && store) {
        keep(out, reason);
        return goOffline();
      }
      forget(out);
      return giveUp(out.items, reason);
    }
  }

  function scheduleDrain(delayMs: number): void {
    if (!store || exiting) return;
    if (drainTimer !== undefined) {
      if (delayMs > 0) return;
      timers.clearTimeout(drainTimer);
    }
    drainTimer = timers.setTimeout(() => {
      drainTimer = undefined;
      void drain();
    }, delayMs);
    // A pending drain must not keep a Node process alive: what it would send stays stored.
    (drainTimer as { unref?(): void } | undefined)?.unref?.();
  }

  /**
   * Sends the store's envelopes one by one, each queued behind the live envelopes waiting then.
   * Joins the drain under way, if any.
   */
  function drain(): Promise<DrainStop> {
    if (!store || exiting) return Promise.resolve('waiting');
    if (draining) return draining;
    const run = drainStore();
    draining = run;
    // Cleared a tick later even when the run ended at once (a full queue), never mid-run.
    void run.then(() => {
      if (draining === run) draining = undefined;
    });
    return run;
  }

  async function drainStore(): Promise<DrainStop> {
    try {
      while (backlog && !exiting) {
        // A full queue refuses the task: the next live envelope delivered starts the drain again.
        const task = queue.add(sendStored);
        if (!task) return 'busy';
        const step = await task;
        if (step !== true) return step === 'empty' ? 'empty' : 'waiting';
      }
      return 'empty';
    } catch (error) {
      logger.error('Sending stored envelopes failed:', error);
      return 'waiting';
    } finally {
      void putBack(prefetched);
      prefetched = undefined;
    }
  }

  function takeFromStore(): Promise<StoredEnvelope | undefined> {
    const taking = Promise.resolve().then(() => store?.take());
    // Handled where it is awaited; a prefetch given up unread must not be an unhandled rejection.
    taking.catch(() => undefined);
    return taking;
  }

  /** Gives a taken entry back to the store; never rejects. */
  function putBack(taking: PromiseLike<StoredEnvelope | undefined> | undefined): Promise<void> {
    return Promise.resolve(taking)
      .then((entry) => (entry && store ? store.release(entry.key) : undefined))
      .then(undefined, (error: unknown) => logger.error('Could not put an envelope back:', error));
  }

  /**
   * Sends the store's oldest envelope; true when the next one may follow at once, 'empty' when there
   * is none. The next one is read from the store while this one is on the wire.
   */
  async function sendStored(): Promise<boolean | 'empty'> {
    if (!store) return false;
    const taking = prefetched ?? takeFromStore();
    prefetched = undefined;
    let entry: StoredEnvelope | undefined;
    try {
      entry = await taking;
    } catch (error) {
      logger.error('Could not read the envelope store:', error);
      return false;
    }
    if (!entry) {
      // Writes still under way will add entries: wait for them and look again.
      if (writing.size) {
        await Promise.allSettled(writing.values());
        return true;
      }
      backlog = false;
      behind = false;
      return 'empty';
    }
    const { key, types } = entry;
    // A stored envelope waits out a rate limit instead of being dropped: it was captured before it.
    const until = Math.max(0, ...types.map((type) => disabledUntil(limits, itemTypeToCategory(type))));
    if (exiting || liveKeys.has(key) || until > now()) {
      await putBack(taking);
      if (until > now()) scheduleDrain(until - now());
      return false;
    }

    const sending = request(withSentAt(entry.body, now()));
    prefetched = takeFromStore();
    const response = await sending;
    const status = response?.statusCode;
    if (status !== undefined && status >= 200 && status < 300) {
      serverErrors.delete(key);
      removeStored(key);
      cameOnline();
      return true;
    }
    const retriable = status === undefined || (status >= 500 && retryOn5xx);
    const errors = retriable && status !== undefined ? (serverErrors.get(key) ?? 0) + 1 : 0;
    if (status === 429 || (retriable && errors < attempts)) {
      await Promise.all([putBack(taking), putBack(prefetched)]);
      prefetched = undefined;
      if (status === 429) {
        scheduleDrain(Math.max(0, ...types.map((type) => disabledUntil(limits, itemTypeToCategory(type)) - now())));
      } else {
        if (errors) serverErrors.set(key, errors);
        goOffline();
      }
      return false;
    }
    serverErrors.delete(key);
    // Refused (4xx), or failing on the server every time: trying again would not help.
    removeStored(key);
    logger.warn('Dropped a stored envelope: send_error');
    countDropped('send_error', types);
    return true;
  }

  function spill(out: Outgoing): PromiseLike<void> {
    if (store) logger.log('Transport queue is full: storing an envelope for later');
    return keep(out, 'queue_overflow') ?? Promise.resolve();
  }

  function send(envelope: Envelope): PromiseLike<void> {
    try {
      const [header, items] = envelope;
      const live = withoutLimited(items, (item) => item[0].type);
      if (!live.length) return Promise.resolve();
      // A client report is small, and holds the count of everything else dropped: it always gets in.
      const report = live.every((item) => item[0].type === 'client_report');
      // Checked before serializing, so a full queue without a store costs no work.
      const full = !report && queue.size() >= bufferSize;
      if (full && !store) {
        logger.warn('Transport queue is full: dropped an envelope');
        countDropped('queue_overflow', live.map((item) => item[0].type));
        return Promise.resolve();
      }

      const encoded: EncodedItem[] = [];
      for (const item of live) {
        const encodedItem = encodeItem(item);
        if (encodedItem) encoded.push(encodedItem);
        else countDropped('internal_sdk_error', [item[0].type]);
      }
      if (!encoded.length) return Promise.resolve();

      let bytes = 0;
      for (const item of encoded) bytes += item.size;
      const out: Outgoing = { header, items: encoded, bytes };
      if (store && (behind || offline)) return keep(out, offline ? 'network_error' : 'queue_overflow') ?? Promise.resolve();
      if (full || (!report && queuedBytes + bytes > maxQueueBytes)) return spill(out);
      if (exiting && writeNow(out)) liveKeys.add(out.entry!.key);
      unsent.add(out);
      const task = queue.add(
        () =>
          deliver(out).finally(() => {
            queuedBytes -= bytes;
            unsent.delete(out);
          }),
        { evenIfFull: report },
      );
      if (!task) {
        unsent.delete(out);
        return spill(out);
      }
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
    return settle(timeoutMs).catch((error: unknown) => {
      logger.error('Flush failed:', error);
      return false;
    });
  }

  async function settle(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs !== undefined && timeoutMs > 0 ? now() + timeoutMs : undefined;
    const left = (): number | undefined => (deadline === undefined ? undefined : Math.max(0, deadline - now()));
    let done = await queue.drain(timeoutMs);
    if (storeWork.size) done = (await within(Promise.allSettled(storeWork), left(), timers)) !== undefined && done;
    // What this run put in the store goes out too while the server is reachable; what does not in
    // time stays stored, for later or for the next start.
    while (done && behind && !offline && !exiting) {
      if (left() === 0) return false;
      const stop = await within(drain(), left(), timers);
      if (stop === undefined || left() === 0) return false;
      if (stop === 'busy') done = await queue.drain(left());
      else if (stop !== 'empty') break;
    }
    return done;
  }

  function prepareForExit(): void {
    if (exiting) return;
    exiting = true;
    if (drainTimer !== undefined) timers.clearTimeout(drainTimer);
    drainTimer = undefined;
    if (!store) return;
    for (const out of [...unsent, ...writing.keys()]) {
      if (out.stored || !writeNow(out)) continue;
      if (unsent.has(out)) liveKeys.add(out.entry!.key);
    }
  }

  if (store) scheduleDrain(positive(options.drainDelayMs, DEFAULT_DRAIN_DELAY_MS) * (1 + random()));

  return { send, flush, prepareForExit };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;
}

/** What `work` resolves with, or undefined once `timeoutMs` has passed first. */
async function within<T>(work: PromiseLike<T>, timeoutMs: number | undefined, timers: Timers): Promise<T | undefined> {
  if (timeoutMs === undefined) return work;
  let timer: unknown;
  const timeout = new Promise<undefined>((resolve) => {
    timer = timers.setTimeout(() => resolve(undefined), timeoutMs);
  });
  const result = await Promise.race([work, timeout]);
  timers.clearTimeout(timer);
  return result;
}

/**
 * A stored envelope with its header's `sent_at` set to now: the protocol wants the time it was
 * actually sent, which lets the server correct for a wrong client clock. Unchanged when the header
 * cannot be read.
 */
export function withSentAt(body: string | Uint8Array, now: number): string | Uint8Array {
  try {
    const sentAt = new Date(now).toISOString();
    if (typeof body === 'string') {
      const end = body.indexOf('\n');
      const header = JSON.parse(end === -1 ? body : body.slice(0, end)) as EnvelopeHeader;
      return JSON.stringify({ ...header, sent_at: sentAt }) + (end === -1 ? '' : body.slice(end));
    }
    if (typeof TextDecoder !== 'function' || typeof TextEncoder !== 'function') return body;
    const end = body.indexOf(0x0a);
    const headerBytes = end === -1 ? body : body.subarray(0, end);
    const header = JSON.parse(new TextDecoder().decode(headerBytes)) as EnvelopeHeader;
    const line = new TextEncoder().encode(JSON.stringify({ ...header, sent_at: sentAt }));
    const rest = end === -1 ? new Uint8Array(0) : body.subarray(end);
    const out = new Uint8Array(line.byteLength + rest.byteLength);
    out.set(line, 0);
    out.set(rest, line.byteLength);
    return out;
  } catch {
    return body;
  }
}
