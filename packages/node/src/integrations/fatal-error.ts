import { isAbsolute } from 'node:path';
import { logger, withScope, type Client, type SeverityLevel, type StackParser } from '@faultline/core';
import { readSourceFile } from './context-lines';

// What the uncaughtException and unhandledRejection handlers share: which values were reported
// already, which process listeners are ours, and how to leave the process the way Node would have.

type Listener = (...args: any[]) => void;
export type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
/** The part of `process` the handlers use; tests hand in an EventEmitter. */
export interface HostProcess {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  listeners(event: string): Function[];
  emitWarning(warning: string, type?: string): void;
  execArgv: string[];
  env: Record<string, string | undefined>;
  stderr: { write(text: string): unknown };
}

const ours = new WeakSet<Listener>();
const reported = new WeakSet<object>();
/** Processes on their way out: a second error there changes nothing (Node would have exited already). */
const exiting = new WeakSet<HostProcess>();

export function addOwnListener(proc: HostProcess, event: ProcessEvent, listener: Listener): void {
  ours.add(listener);
  proc.on(event, listener);
}

export function removeOwnListener(proc: HostProcess, event: ProcessEvent, listener: Listener): void {
  proc.off(event, listener);
}

/** Whether the app (or another library) listens too: then Node leaves the error to it and does not exit. */
export function hasAppListener(proc: HostProcess, event: ProcessEvent): boolean {
  return proc.listeners(event).some((listener) => !ours.has(listener as Listener));
}

/** Rejections handed back to Node whose uncaught exception (in `throw` mode) is still to come. */
const reraised = new WeakMap<HostProcess, number>();

/**
 * Hands a rejection back to Node while our unhandledRejection listener is off, so Node does what its
 * `--unhandled-rejections` mode does when nobody listens: raise it as an uncaught exception (`throw`),
 * or warn and set the exit code (`warn-with-error-code`). `resume` runs once Node is done with it.
 */
export function reraiseRejection(proc: HostProcess, reason: unknown, resume: () => void): void {
  reraised.set(proc, (reraised.get(proc) ?? 0) + 1);
  void Promise.reject(reason);
  // Node handles the rejection at the end of this tick's microtasks; an immediate comes after.
  setImmediate(() => {
    reraised.delete(proc);
    if (!exiting.has(proc)) resume();
  });
}

/** Whether an uncaught exception from a rejection is one we handed back (already reported). */
export function takeReraisedRejection(proc: HostProcess): boolean {
  const count = reraised.get(proc) ?? 0;
  if (count === 0) return false;
  reraised.set(proc, count - 1);
  return true;
}

export function isExiting(proc: HostProcess): boolean {
  return exiting.has(proc);
}

export function markExiting(proc: HostProcess): void {
  exiting.add(proc);
}

export function wasReported(value: unknown): boolean {
  return typeof value === 'object' && value !== null && reported.has(value);
}

/** Captures with the client given, whichever scope is current; a value is reported once. */
export function reportFatal(client: Client, value: unknown, mechanism: string, level: SeverityLevel): void {
  if (wasReported(value)) return;
  if (typeof value === 'object' && value !== null) reported.add(value);
  try {
    withScope((scope) => {
      scope.setLevel(level);
      client.captureException(value, { mechanism: { type: mechanism, handled: false }, originalException: value }, scope);
    });
  } catch (error) {
    logger.error('Could not capture the fatal error:', error);
  }
}

/**
 * Waits for the client to deliver what it has, at most `timeoutMs`, the process being about to end:
 * the transport first writes what it holds to its store, synchronously, so nothing is lost when
 * delivery does not finish in time. Never rejects. The timer is what keeps the process alive
 * meanwhile, should nothing else.
 */
export function flushWithin(client: Client, timeoutMs: number): Promise<void> {
  try {
    // The process ends after this: what is not delivered in time must be on disk by then.
    client.getTransport()?.prepareForExit?.();
  } catch (error) {
    logger.error('Could not save the envelopes before exit:', error);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs + 100);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      client.flush(timeoutMs).then(done, (error: unknown) => {
        logger.error('Flushing before exit failed:', error);
        done();
      });
    } catch (error) {
      logger.error('Flushing before exit failed:', error);
      done();
    }
  });
}

/**
 * The source line Node prints above a rejection's stack when it dies of it: V8 places a rejection at
 * the top frame of its stack. V8 can do that only while `error.stack` was never read, and reading it
 * is the first thing a capture does, so it is worked out here from the stack text and the file.
 */
export async function rejectionSourceLine(error: unknown, parse: StackParser): Promise<string | undefined> {
  try {
    const stack = (error as { stack?: unknown } | null)?.stack;
    if (typeof stack !== 'string') return undefined;
    const top = parse(stack).at(-1);
    if (!top?.filename || !top.lineno || !top.colno || !isAbsolute(top.filename)) return undefined;
    const text = await readSourceFile(top.filename);
    const line = text?.split(/\r?\n/)[top.lineno - 1];
    if (line === undefined) return undefined;
    // GetErrorSource in src/node_errors.cc: tabs before the column stay tabs so the caret lines up.
    const caret = `${line.slice(0, top.colno - 1).replace(/[^\t]/g, ' ')}^`;
    return `${top.abs_path ?? top.filename}:${top.lineno}\n${line}\n${caret}\n`;
  } catch {
    return undefined;
  }
}

/**
 * Hands the error back to Node with every listener of ours removed, so Node prints it and exits as
 * it would have without us. A rejection's source line (see rejectionSourceLine) is printed first,
 * as Node would; without one, the rejection goes back to Node as a rejection, for Node to place.
 */
export function exitLikeNode(proc: HostProcess, error: unknown, fromRejection: boolean, sourceLine?: string): void {
  exiting.add(proc);
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of proc.listeners(event)) if (ours.has(listener as Listener)) proc.off(event, listener as Listener);
  }
  if (fromRejection && sourceLine === undefined) {
    void Promise.reject(error);
    return;
  }
  if (sourceLine !== undefined) {
    try {
      proc.stderr.write(`${sourceLine}\n`);
    } catch {
      // Without the source line the error is still printed below.
    }
  }
  raiseUncaught(error);
}

/** Throws `error` from a fresh tick, where only uncaughtException listeners can catch it. */
export function raiseUncaught(error: unknown): void {
  setImmediate(rethrow, error);
}

/**
 * Node prints the source line of the last `throw` above the stack: here that would be this line,
 * not the app's. The marker below is Node's own for "add no source line" (GetErrorSource in
 * src/node_errors.cc); the rest of the output is Node's as it is.
 */
function rethrow(error: unknown): never {
  throw error; // node-do-not-add-exception-line
}
