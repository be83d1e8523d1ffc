// A bounded queue of task producers, after Sentry's promise buffer: a full queue refuses a task
// without calling its producer, so overload costs no work. Unlike the promise buffer it starts
// tasks in order, at most `concurrency` at a time.

/** The timer functions the queue and transport use; tests hand in fakes, Node may hand in unref'd ones. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

// Read the globals at call time, so fake timers installed after import still apply.
export const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as Parameters<typeof clearTimeout>[0]),
};

export interface Queue<T> {
  /**
   * Queues a task; undefined when the queue is full (the producer is not called), unless `evenIfFull`
   * (for a small task that must not be lost). The returned promise settles as the producer's does.
   */
  add(producer: () => PromiseLike<T>, options?: { evenIfFull?: boolean }): PromiseLike<T> | undefined;
  /**
   * Resolves true once every task queued before the call has settled, false when `timeoutMs`
   * passes first. No timeout (or 0, as in Sentry's `flush(0)`) waits as long as it takes.
   */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Tasks waiting or running. */
  size(): number;
}

export function createQueue<T>(limit: number, concurrency = 1, timers: Timers = defaultTimers): Queue<T> {
  const waiting: Array<() => void> = [];
  /** One promise per task not yet settled; each resolves (never rejects) when its task settles. */
  const pending = new Set<Promise<void>>();
  let running = 0;

  const startNext = (): void => {
    while (running < concurrency) {
      const start = waiting.shift();
      if (!start) return;
      running++;
      start();
    }
  };

  return {
    add(producer, options) {
      if (pending.size >= limit && !options?.evenIfFull) return undefined;
      const result = new Promise<T>((resolve, reject) => {
        waiting.push(() => {
          try {
            producer().then(resolve, reject);
          } catch (error) {
            reject(error);
          }
        });
      });
      const finish = (): void => {
        pending.delete(settled);
        running--;
        startNext();
      };
      const settled = result.then(finish, finish);
      pending.add(settled);
      startNext();
      return result;
    },

    drain(timeoutMs) {
      if (!pending.size) return Promise.resolve(true);
      const all = Promise.all(pending).then(() => true);
      if (!(timeoutMs !== undefined && timeoutMs > 0)) return all;
      return new Promise<boolean>((resolve) => {
        const timer = timers.setTimeout(() => resolve(false), timeoutMs);
        void all.then(() => {
          timers.clearTimeout(timer);
          resolve(true);
        });
      });
    },

    size: () => pending.size,
  };
}
