import type { EnvelopeItemType } from '../envelope';

// CONTRACT (owned by the reliability work): where a platform keeps the envelopes the transport could
// not send (server unreachable or failing, queue full), so they survive an outage, a crash or a
// reload. Node keeps them on disk (packages/node/src/spool.ts), browsers in IndexedDB. The transport
// decides what goes in and when it comes out; a store only keeps entries, in key order, in bounds.

/** One envelope kept for a later try. */
export interface StoredEnvelope {
  /**
   * Made by the transport (`storeKey`): `[0-9a-z-]` only, unique across processes sharing a store,
   * and sorting in the order the envelopes were stored.
   */
  key: string;
  /** The serialized envelope. Its `sent_at` is written again when it is finally sent. */
  body: string | Uint8Array;
  /** Its items' types, in order: rate limits and drop counts need them without parsing the body. */
  types: EnvelopeItemType[];
}

/** An entry a store gave up to stay in its bounds; the transport counts it as `cache_overflow`. */
export type DroppedEnvelope = Pick<StoredEnvelope, 'key' | 'types'>;

/**
 * Promises may reject (a full disk, a blocked database): the transport treats that as "not kept" or
 * "nothing there" and goes on.
 */
export interface EnvelopeStore {
  /**
   * Keeps `entry`; the same key again replaces it. To stay in its bounds the store drops its oldest
   * entries and resolves with them, or with `entry` itself when it cannot be kept at all.
   */
  push(entry: StoredEnvelope): PromiseLike<DroppedEnvelope[]>;
  /**
   * Takes the oldest entry for sending: until it is removed or released, no other reader of the
   * store (another process or tab) gets it. Resolves undefined when there is none.
   */
  take(): PromiseLike<StoredEnvelope | undefined>;
  /**
   * Deletes an entry for good: it was delivered, or the server refused it. A removal wins over a
   * push of the same key still under way.
   */
  remove(key: string): PromiseLike<void>;
  /** Puts a taken entry back, still the oldest, for a later try. */
  release(key: string): PromiseLike<void>;
  /**
   * `push` and `remove`, done when they return, for a process about to exit that cannot wait for
   * I/O. Optional: a store that cannot (IndexedDB) leaves them out and the asynchronous ones are used.
   */
  pushSync?(entry: StoredEnvelope): DroppedEnvelope[];
  removeSync?(key: string): void;
}

let sequence = 0;
// Made with the first key, so that importing the module does no work.
let processTag: string | undefined;

/**
 * A key for a new entry: the time in ms, a counter (envelopes stored in the same ms keep their
 * order) and a random tag for this process, so two processes sharing a store never collide.
 */
export function storeKey(now: number): string {
  sequence = (sequence + 1) % 36 ** 6;
  processTag ??= Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(9, '0');
  return `${time}-${sequence.toString(36).padStart(6, '0')}-${processTag}`;
}
