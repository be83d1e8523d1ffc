import { describe, expect, it } from 'vitest';
import { createQueue, type Timers } from '../../src/transport/queue';

/** A task the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Timers that fire only when the test says so. */
function manualTimers() {
  const scheduled = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback) => {
      scheduled.set(++next, callback);
      return next;
    },
    clearTimeout: (id) => {
      scheduled.delete(id as number);
    },
  };
  const fireAll = () => {
    for (const [id, callback] of [...scheduled]) {
      scheduled.delete(id);
      callback();
    }
  };
  return { timers, scheduled, fireAll };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createQueue', () => {
  it('refuses a task when full without calling its producer', () => {
    const queue = createQueue<void>(2);
    let calls = 0;
    const producer = () => {
      calls++;
      return new Promise<void>(() => {});
    };
    expect(queue.add(producer)).toBeDefined();
    expect(queue.add(producer)).toBeDefined();
    expect(queue.add(producer)).toBeUndefined();
    expect(calls).toBe(1);
    expect(queue.size()).toBe(2);
  });

  it('runs tasks one at a time in the order they were added', async () => {
    const queue = createQueue<number>(10);
    const started: number[] = [];
    const tasks = [deferred<number>(), deferred<number>(), deferred<number>()];
    const results = tasks.map((task, i) =>
      queue.add(() => {
        started.push(i);
        return task.promise;
      }),
    );
    expect(started).toEqual([0]);
    tasks[0]!.resolve(0);
    await tick();
    expect(started).toEqual([0, 1]);
    tasks[1]!.reject(new Error('task failed'));
    await tick();
    expect(started).toEqual([0, 1, 2]);
    tasks[2]!.resolve(2);
    await expect(results[0]).resolves.toBe(0);
    await expect(results[1]).rejects.toThrow('task failed');
    await expect(results[2]).resolves.toBe(2);
    expect(queue.size()).toBe(0);
  });

  it('runs up to `concurrency` tasks at once', () => {
    const queue = createQueue<void>(10, 2);
    let started = 0;
    for (let i = 0; i < 4; i++) {
      queue.add(() => {
        started++;
        return new Promise<void>(() => {});
      });
    }
    expect(started).toBe(2);
  });

  it('turns a producer that throws into a rejected task and keeps going', async () => {
    const queue = createQueue<string>(10);
    const failed = queue.add(() => {
      throw new Error('sync throw');
    });
    const next = queue.add(() => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('sync throw');
    await expect(next).resolves.toBe('ok');
  });

  it('makes room again once tasks settle', async () => {
    const queue = createQueue<void>(1);
    const task = deferred();
    queue.add(() => task.promise);
    expect(queue.add(() => Promise.resolve())).toBeUndefined();
    task.resolve();
    await tick();
    expect(queue.add(() => Promise.resolve())).toBeDefined();
  });

  it('drain resolves true once the tasks added before the call settled, ignoring later ones', async () => {
    const queue = createQueue<void>(10);
    const first = deferred();
    queue.add(() => first.promise);
    const drained = queue.drain();
    const later = deferred();
    queue.add(() => later.promise);
    first.resolve();
    await expect(drained).resolves.toBe(true);
    expect(queue.size()).toBe(1);
  });

  it('drain resolves false at the timeout and clears its timer when done in time', async () => {
    const { timers, scheduled, fireAll } = manualTimers();
    const queue = createQueue<void>(10, 1, timers);
    const stuck = deferred();
    queue.add(() => stuck.promise);

    const timedOut = queue.drain(1_000);
    fireAll();
    await expect(timedOut).resolves.toBe(false);

    const inTime = queue.drain(1_000);
    expect(scheduled.size).toBe(1);
    stuck.resolve();
    await expect(inTime).resolves.toBe(true);
    expect(scheduled.size).toBe(0);
  });

  it('drain of an empty queue resolves true at once', async () => {
    await expect(createQueue(1).drain(10)).resolves.toBe(true);
  });
});
