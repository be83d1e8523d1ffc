import { captureException, getClient, type Event, type EventHint, type Integration, type StackFrame } from '@faultline/core';
import { wasRethrown } from '../rethrown';

export interface GlobalHandlersOptions {
  onerror?: boolean;
  onunhandledrejection?: boolean;
}

/**
 * Captures the page's uncaught errors (`error` event) and unhandled rejections
 * (`unhandledrejection` event) with `handled: false`. An error a wrapped callback already captured
 * is not captured again when it reaches the `error` event.
 */
export function globalHandlersIntegration(options: GlobalHandlersOptions = {}, win: typeof globalThis = globalThis): Integration {
  const types = (['error', 'unhandledrejection'] as const).filter((type) => options[`on${type}`] !== false);
  let listener: ((event: ErrorEvent | PromiseRejectionEvent) => void) | undefined;
  return {
    name: 'GlobalHandlers',
    setup(client) {
      listener = (event) => getClient() === client && captureGlobalEvent(event);
      for (const type of types) win.addEventListener?.(type, listener as EventListener);
    },
    processEvent: addErrorEventFrame,
    teardown() {
      for (const type of types) win.removeEventListener?.(type, listener as EventListener);
    },
  };
}

/** Captures a page's `error` or `unhandledrejection` event (also the loader snippet's queued ones). */
export function captureGlobalEvent(event: ErrorEvent | PromiseRejectionEvent): void {
  try {
    if (event.type === 'unhandledrejection') {
      captureException((event as PromiseRejectionEvent).reason, { mechanism: { type: 'onunhandledrejection', handled: false }, syntheticException: undefined });
    } else {
      const { error, message, filename, lineno, colno } = event as ErrorEvent;
      if (wasRethrown(error, true)) return;
      // No synthetic stack: it would show this handler, not the page's code.
      captureException(error ?? message, { mechanism: { type: 'onerror', handled: false }, syntheticException: undefined, data: { onerror: { filename, lineno, colno } } });
    }
  } catch {
    // Never let our handler add an error to the one the page already has.
  }
}

/**
 * A value thrown without a stack (a string, or `null` from a cross-origin "Script error.") gets one
 * frame from where the `error` event says it happened. WebKit reports the file as the string
 * "undefined" for some throws (../shared/browsers/README.md), which is no location at all.
 */
function addErrorEventFrame(event: Event, hint: EventHint): Event {
  const where = hint.data?.onerror as Partial<Record<'filename' | 'lineno' | 'colno', unknown>> | undefined;
  const values = event.exception?.values;
  const exception = values?.[values.length - 1];
  const filename = where?.filename;
  if (!exception || exception.stacktrace?.frames.length || typeof filename !== 'string' || filename === 'undefined' || !filename) return event;
  const frame: StackFrame = { filename, function: '?', in_app: true };
  for (const key of ['lineno', 'colno'] as const) {
    const value = where![key];
    if (typeof value === 'number' && value > 0) frame[key] = value;
  }
  exception.stacktrace = { frames: [frame] };
  return event;
}
