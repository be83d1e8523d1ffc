import { captureException, withScope, type EventHint } from '@faultline/browser';
import { logger } from '@faultline/core';
import { version as reactVersion } from 'react';

/** What React tells an error boundary or a root error handler besides the error itself. */
export interface ReactErrorInfo {
  componentStack?: string | null;
}

// The component-stack errors made here, so that an error captured twice (by a root handler, then by
// a boundary) still carries only one.
const componentStackErrors = new WeakSet<object>();
// A cause chain longer than this is not followed (the linked-errors integration sends at most 6).
const MAX_CHAIN = 10;

/**
 * Captures an error React caught, with its component stack twice over: as `contexts.react` and as a
 * linked error whose stack is the component stack (set as the end of the error's `cause` chain,
 * as @sentry/react does), so the linked-errors integration sends the components as frames.
 * Returns the event id. Never throws.
 */
export function captureReactException(error: unknown, errorInfo: ReactErrorInfo | undefined, hint?: EventHint): string {
  let componentStack: string | undefined;
  try {
    const stack = errorInfo?.componentStack;
    if (typeof stack === 'string' && stack !== '') componentStack = stack;
    if (componentStack) linkComponentStack(error, componentStack);
  } catch (linkError) {
    logger.warn('Could not attach the component stack to the error:', linkError);
  }
  let eventId: string | undefined;
  try {
    withScope((scope) => {
      scope.setContext('react', componentStack ? { componentStack, version: reactVersion } : { version: reactVersion });
      eventId = captureException(error, hint);
    });
  } catch (scopeError) {
    logger.error('Capturing a React error in its own scope failed:', scopeError);
  }
  return eventId ?? captureException(error, hint);
}

function linkComponentStack(error: unknown, componentStack: string): void {
  if (!isObject(error)) return;
  let last: object = error;
  for (let depth = 0; ; depth++) {
    if (componentStackErrors.has(last)) return;
    const cause = (last as { cause?: unknown }).cause;
    if (cause === undefined || cause === null) break;
    // A cause that is not an object has nowhere to hang the component stack.
    if (!isObject(cause) || depth === MAX_CHAIN) return;
    last = cause;
  }
  if (!Object.isExtensible(last)) return;
  const linked = new Error(String((error as { message?: unknown }).message ?? ''));
  linked.name = `React ErrorBoundary ${String((error as { name?: unknown }).name ?? 'Error')}`;
  linked.stack = componentStack;
  componentStackErrors.add(linked);
  // Not enumerable, as `cause` is when given to the Error constructor: logs and JSON stay as they were.
  Object.defineProperty(last, 'cause', { value: linked, writable: true, configurable: true, enumerable: false });
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
