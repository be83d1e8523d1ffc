import { captureException, getClient, type Client, type Event, type Integration } from '@faultline/core';
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
  let remove: (() => void) | undefined;
  return {
    name: 'GlobalHandlers',
    setup(client) {
      const onError = (event: ErrorEvent): void => {
        try {
          if (getClient() !== client || wasRethrown(event.error, true)) return;
          const value = event.error ?? event.message;
          // No synthetic stack: it would show this handler, not the page's code.
          captureException(value, { mechanism: { type: 'onerror', handled: false }, syntheticException: undefined, data: locationOf(event) });
        } catch {
          // Never let our handler add an error to the one the page already has.
        }
      };
      const onRejection = (event: PromiseRejectionEvent): void => {
        try {
          if (getClient() !== client) return;
          captureException(event.reason, { mechanism: { type: 'onunhandledrejection', handled: false }, syntheticException: undefined });
        } catch {
          // As above.
        }
      };
      const on = options.onerror !== false;
      const onRejections = options.onunhandledrejection !== false;
      if (on) win.addEventListener?.('error', onError);
      if (onRejections) win.addEventListener?.('unhandledrejection', onRejection);
      remove = () => {
        win.removeEventListener?.('error', onError);
        win.removeEventListener?.('unhandledrejection', onRejection);
      };
    },
    processEvent: addErrorEventFrame,
    teardown() {
      remove?.();
      remove = undefined;
    },
  };
}

interface ErrorLocation {
  filename?: string;
  lineno?: number;
  colno?: number;
}

function locationOf(event: ErrorEvent): { onerror: ErrorLocation } {
  return { onerror: { filename: event.filename, lineno: event.lineno, colno: event.colno } };
}

/**
 * A value thrown without a stack (a string, or `null` from a cross-origin "Script error.") gets one
 * frame from where the `error` event says it happened. WebKit reports the file as the string
 * "undefined" for some throws (../shared/browsers/README.md), which is no location at all.
 */
function addErrorEventFrame(event: Event, hint: { data?: Record<string, unknown> }, _client: Client): Event {
  const where = hint.data?.onerror as ErrorLocation | undefined;
  const exception = event.exception?.values[event.exception.values.length - 1];
  if (!where || !exception || exception.stacktrace?.frames.length) return event;
  const filename = typeof where.filename === 'string' && where.filename !== 'undefined' && where.filename !== '' ? where.filename : undefined;
  if (!filename) return event;
  const frame: { filename: string; function: string; in_app: boolean; lineno?: number; colno?: number } = { filename, function: '?', in_app: true };
  if (typeof where.lineno === 'number' && where.lineno > 0) frame.lineno = where.lineno;
  if (typeof where.colno === 'number' && where.colno > 0) frame.colno = where.colno;
  exception.stacktrace = { frames: [frame] };
  return event;
}
