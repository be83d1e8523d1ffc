/** A scripted answer for the next ingestion request(s); `times` defaults to 1, `Infinity` until cleared. */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string; times?: number }
  | { delayMs: number; times?: number }
  | { reset: true; times?: number };

export interface FaultQueue {
  push(fault: Fault): void;
  clear(): void;
  /** The fault for the request being answered now, if one is scripted. */
  next(): Fault | undefined;
}

export function createFaultQueue(): FaultQueue {
  const queue: Array<{ fault: Fault; left: number }> = [];
  return {
    push(fault) {
      const times = fault.times ?? 1;
      if (times > 0) queue.push({ fault, left: times });
    },
    clear() {
      queue.length = 0;
    },
    next() {
      const head = queue[0];
      if (head === undefined) return undefined;
      head.left -= 1;
      if (head.left <= 0) queue.shift();
      return head.fault;
    },
  };
}
