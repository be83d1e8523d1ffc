// Envelopes that could not be sent for network reasons, kept in IndexedDB until the page is online
// again or the next page load. Bounded: beyond `maxEntries` the oldest go.

export interface OfflineStoreOptions {
  /** Most envelopes kept (default 30). */
  maxEntries?: number;
  /** Database name (default `faultline-offline`). */
  dbName?: string;
}

export interface OfflineStore {
  push(body: string | Uint8Array): Promise<void>;
  /** Every stored envelope, oldest first; they are removed from the store. */
  takeAll(): Promise<Array<string | Uint8Array>>;
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
      return run<Array<string | Uint8Array>>('readwrite', (store, done) => {
        const all = store.getAll();
        all.onsuccess = () => {
          done(all.result as Array<string | Uint8Array>);
          store.clear();
        };
      }).catch(() => []);
    },
  };
}
