import type { Envelope, EnvelopeItem } from '@faultline/core';

// Envelopes that could not be sent for network reasons, kept in IndexedDB until the page is online
// again or the next page load. Bounded: beyond `maxEntries` the oldest go. Part of the npm package's
// transport only: the CDN bundle leaves it out to stay small.

export interface OfflineStoreOptions {
  /** Most envelopes kept (default 30). */
  maxEntries?: number;
  /** Database name (default `faultline-offline`). */
  dbName?: string;
}

export interface OfflineStore {
  push(body: string): Promise<void>;
  /** Every stored envelope, oldest first; they are removed from the store. */
  takeAll(): Promise<Envelope[]>;
}

const STORE = 'envelopes';

export function createOfflineStore(options: OfflineStoreOptions = {}, idb: IDBFactory | undefined = globalThis.indexedDB): OfflineStore | undefined {
  if (!idb) return undefined;
  const maxEntries = options.maxEntries ?? 30;
  let db: Promise<IDBDatabase> | undefined;

  // Opened on first use only: page start-up does no IndexedDB work.
  const open = (): Promise<IDBDatabase> =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = idb.open(options.dbName ?? 'faultline-offline', 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));

  const run = <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore, done: (value: T) => void) => void): Promise<T> =>
    open().then(
      (database) =>
        new Promise<T>((resolve, reject) => {
          const transaction = database.transaction(STORE, mode);
          let result: T;
          work(transaction.objectStore(STORE), (value) => (result = value));
          transaction.oncomplete = () => resolve(result);
          transaction.onerror = transaction.onabort = () => reject(transaction.error);
        }),
    );

  return {
    push(body) {
      return run<void>('readwrite', (store) => {
        store.add(body);
        const keys = store.getAllKeys();
        keys.onsuccess = () => {
          const excess = keys.result.length - maxEntries;
          if (excess > 0) store.delete(IDBKeyRange.upperBound(keys.result[excess - 1]!));
        };
      }).catch(() => undefined);
    },
    takeAll() {
      return run<unknown[]>('readwrite', (store, done) => {
        const all = store.getAll();
        all.onsuccess = () => {
          done(all.result);
          store.clear();
        };
      }).then(
        (bodies) => bodies.map(parse).filter((envelope): envelope is Envelope => !!envelope),
        () => [],
      );
    },
  };
}

/**
 * Reads back a body the browser transport wrote: text, one JSON line for the header, then an item
 * header line and a JSON payload line for each item (JSON never holds a raw newline, and a page
 * sends no attachments). Undefined for anything else, which is dropped.
 */
function parse(body: unknown): Envelope | undefined {
  try {
    const [header, ...lines] = (body as string).split('\n');
    const items: EnvelopeItem[] = [];
    for (let i = 1; i < lines.length; i += 2) {
      const { length: _length, ...itemHeader } = JSON.parse(lines[i - 1]!) as EnvelopeItem[0];
      items.push([itemHeader, JSON.parse(lines[i]!)]);
    }
    return [JSON.parse(header!), items];
  } catch {
    return undefined;
  }
}
