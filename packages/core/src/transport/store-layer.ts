import { withSentAt } from '../envelope-bytes';
import { logger } from '../logger';
import type { DiscardReason } from '../types';
import type { Outgoing, SenderLayer, SenderParts } from './sender';
import { storeKey, type DroppedEnvelope, type EnvelopeStore, type StoredEnvelope } from './store';

const DEFAULT_DRAIN_DELAY_MS = 1_000;

/** Why a drain of the store stopped: nothing left, the queue full, or a reason to wait (offline, rate limited, exiting). */
type DrainStop = 'empty' | 'busy' | 'waiting';

/** An envelope with where it stands with the store. */
interface Kept extends Outgoing {
  /** Its store entry, made once (the key fixes its place in the store); `stored` once written. */
  entry?: StoredEnvelope;
  stored?: boolean;
}

/**
 * The sender's layer for platforms with an envelope store (Node's disk spool): nothing is lost to
 * an outage. An envelope still failing after its retries is stored, and the transport goes offline
 * (every envelope goes straight to the store) until a probe of the store's oldest entry, with
 * growing pauses, gets through. A full queue spills to the store too. While envelopes of this run
 * wait there, new ones queue up behind them in the store, so the server still gets them in order;
 * the store is sent oldest first, one at a time, pausing while a category is rate limited. An
 * earlier run's envelopes go out in the same way, a little after start.
 */
export function createStoreLayer(store: EnvelopeStore, drainDelayMs: number | undefined, sender: SenderParts): SenderLayer {
  const { queue, now, timers, attempts } = sender;
  /** Envelopes queued or being sent (what `prepareForExit` must save). */
  const unsent = new Set<Kept>();
  /** Store writes and removals under way, for `flush`. */
  const storeWork = new Set<PromiseLike<unknown>>();
  /** Envelopes whose asynchronous store write has not finished, and that write. */
  const writing = new Map<Kept, PromiseLike<void>>();
  /** Keys of stored envelopes that are also being sent live (after `prepareForExit`). */
  const liveKeys = new Set<string>();
  /** 5xx answers per stored key: a server that always fails on one envelope must not block the rest. */
  const serverErrors = new Map<string, number>();
  /** The last try failed for network reasons: envelopes go to the store until a drain gets through. */
  let offline = false;
  let exiting = false;
  /** Whether the store may hold entries (it may, from an earlier run, until a take finds none). */
  let backlog = true;
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

  function track<T>(work: PromiseLike<T>): void {
    storeWork.add(work);
    const done = (): void => void storeWork.delete(work);
    work.then(done, done);
  }

  function giveUp(out: Kept, reason: DiscardReason): void {
    logger.warn(`Dropped an envelope: ${reason}`);
    sender.countDropped(reason, out.items.map((item) => item.type));
  }

  function countOverflow(dropped: DroppedEnvelope[] | undefined): void {
    for (const entry of Array.isArray(dropped) ? dropped : []) {
      logger.warn('The envelope store is full: dropped its oldest envelope');
      sender.countDropped('cache_overflow', entry.types);
    }
  }

  function entryOf(out: Kept): StoredEnvelope {
    out.entry ??= { key: storeKey(now()), body: sender.write(out), types: out.items.map((item) => item.type) };
    return out.entry;
  }

  /**
   * Hands the envelope to the store (once); synchronously once the process is exiting, where the
   * store can. Returns the write under way, if any. When the write fails, the envelope is lost for
   * `reason`.
   */
  function keep(out: Kept, reason: DiscardReason): PromiseLike<void> | undefined {
    backlog = true;
    behind = true;
    // Offline, only the drain's probe finds out when the server is back.
    if (offline) scheduleDrain(sender.backoffMs(Math.max(1, failedDrains)));
    if (out.entry) liveKeys.delete(out.entry.key);
    if (exiting && store.pushSync) {
      if (!out.stored && !writeNow(out)) giveUp(out, reason);
      return undefined;
    }
    // Written already, or being written.
    if (out.stored || writing.has(out)) return writing.get(out);
    const entry = entryOf(out);
    // Kept from now on, never sent live: the body in the entry is all that is needed.
    out.items = out.items.map(({ type, line, size }) => ({ type, line, payload: '', size }));
    const write = Promise.resolve()
      .then(() => store.push(entry))
      .then(
        (dropped) => {
          out.stored = true;
          countOverflow(dropped);
        },
        (error: unknown) => {
          logger.error('Could not store an envelope:', error);
          if (!out.stored) giveUp(out, reason);
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
  function writeNow(out: Kept): boolean {
    try {
      const dropped = store.pushSync?.(entryOf(out));
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
  function forget(out: Kept): void {
    const key = out.entry?.key;
    if (key === undefined || !(out.stored || writing.has(out))) return;
    liveKeys.delete(key);
    removeStored(key);
  }

  function removeStored(key: string): PromiseLike<void> {
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

  function goOffline(): void {
    // The envelopes still queued go to the store before any captured from now on: their keys,
    // which set the order there, are made now.
    for (const out of unsent) entryOf(out);
    offline = true;
    failedDrains++;
    scheduleDrain(sender.backoffMs(failedDrains));
  }

  function cameOnline(): void {
    offline = false;
    failedDrains = 0;
    if (backlog && !draining) scheduleDrain(0);
  }

  function scheduleDrain(delayMs: number): void {
    if (exiting) return;
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
    if (exiting) return Promise.resolve('waiting');
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
    const taking = Promise.resolve().then(() => store.take());
    // Handled where it is awaited; a prefetch given up unread must not be an unhandled rejection.
    taking.catch(() => undefined);
    return taking;
  }

  /** Gives a taken entry back to the store; never rejects. */
  function putBack(taking: PromiseLike<StoredEnvelope | undefined> | undefined): Promise<void> {
    return Promise.resolve(taking)
      .then((entry) => (entry ? store.release(entry.key) : undefined))
      .then(undefined, (error: unknown) => logger.error('Could not put an envelope back:', error));
  }

  /**
   * Sends the store's oldest envelope; true when the next one may follow at once, 'empty' when there
   * is none. The next one is read from the store while this one is on the wire.
   */
  async function sendStored(): Promise<boolean | 'empty'> {
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
    const until = sender.limitedUntil(types);
    if (exiting || liveKeys.has(key) || until > now()) {
      await putBack(taking);
      if (until > now()) scheduleDrain(until - now());
      return false;
    }

    const sending = sender.request(withSentAt(entry.body, now()));
    prefetched = takeFromStore();
    const status = (await sending)?.statusCode;
    if (status !== undefined && status >= 200 && status < 300) {
      serverErrors.delete(key);
      removeStored(key);
      cameOnline();
      return true;
    }
    const retriable = sender.retriable(status);
    const errors = retriable && status !== undefined ? (serverErrors.get(key) ?? 0) + 1 : 0;
    if (status === 429 || (retriable && errors < attempts)) {
      await Promise.all([putBack(taking), putBack(prefetched)]);
      prefetched = undefined;
      if (status === 429) {
        scheduleDrain(Math.max(0, sender.limitedUntil(types) - now()));
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
    sender.countDropped('send_error', types);
    return true;
  }

  /** What `work` resolves with, or undefined once `timeoutMs` has passed first. */
  async function within<T>(work: PromiseLike<T>, timeoutMs: number | undefined): Promise<T | undefined> {
    if (timeoutMs === undefined) return work;
    let timer: unknown;
    const timeout = new Promise<undefined>((resolve) => {
      timer = timers.setTimeout(() => resolve(undefined), timeoutMs);
    });
    const result = await Promise.race([work, timeout]);
    timers.clearTimeout(timer);
    return result;
  }

  scheduleDrain((drainDelayMs! > 0 && Number.isFinite(drainDelayMs) ? drainDelayMs! : DEFAULT_DRAIN_DELAY_MS) * (1 + sender.random()));

  return {
    divert(out: Kept, queued) {
      // The drain probes the server; until it gets through, trying each envelope would only wait.
      // One that already has its place in the store's order (see goOffline) takes it.
      if (queued ? offline || (behind && out.entry && !exiting) : offline || behind) {
        return keep(out, offline || queued ? 'network_error' : 'queue_overflow') ?? Promise.resolve();
      }
      return undefined;
    },
    overflow(out) {
      logger.log('Transport queue is full: storing an envelope for later');
      return keep(out, 'queue_overflow') ?? Promise.resolve();
    },
    queued(out: Kept, entered) {
      if (!entered) return void unsent.delete(out);
      if (exiting && writeNow(out)) liveKeys.add(out.entry!.key);
      unsent.add(out);
    },
    settled(out, delivered) {
      forget(out);
      if (delivered) cameOnline();
    },
    failed(out, reason) {
      keep(out, reason);
      goOffline();
      return true;
    },
    async flush(done, left) {
      if (storeWork.size) done = (await within(Promise.allSettled(storeWork), left())) !== undefined && done;
      // What this run put in the store goes out too while the server is reachable; what does not in
      // time stays stored, for later or for the next start.
      while (done && behind && !offline && !exiting) {
        if (left() === 0) return false;
        const stop = await within(drain(), left());
        if (stop === undefined || left() === 0) return false;
        if (stop === 'busy') done = await queue.drain(left());
        else if (stop !== 'empty') break;
      }
      return done;
    },
    prepareForExit() {
      if (exiting) return;
      exiting = true;
      if (drainTimer !== undefined) timers.clearTimeout(drainTimer);
      drainTimer = undefined;
      for (const out of [...unsent, ...writing.keys()]) {
        if (out.stored || !writeNow(out)) continue;
        if (unsent.has(out)) liveKeys.add(out.entry!.key);
      }
    },
  };
}
