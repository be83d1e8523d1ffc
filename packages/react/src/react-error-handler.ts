import { logger } from '@faultline/core';
import { captureReactException, type ReactErrorInfo } from './capture-react-exception';
import { ErrorBoundary } from './error-boundary';

/** What React 19 passes to `onUncaughtError`, `onCaughtError` and `onRecoverableError`. */
export interface RootErrorInfo extends ReactErrorInfo {
  /** The class component that caught the error (`onCaughtError` only). */
  errorBoundary?: unknown;
}

/**
 * A handler for React 19's `createRoot`/`hydrateRoot` options `onUncaughtError`, `onCaughtError`
 * and `onRecoverableError` that reports the error with its component stack, then calls `callback`
 * with the event id. Handing React a handler replaces React's own, which logs or rethrows to
 * `window.onerror`; so one error gives one event, and the console stays quiet unless `callback` logs.
 *
 * The mechanism is `react.errorhandler`, handled when an error boundary caught the error or
 * `callback` handles it (as @sentry/react decides). Errors caught by Faultline's own ErrorBoundary are
 * left to it, so they are not reported twice: `callback` then gets `undefined` as the event id.
 */
export function reactErrorHandler(
  callback?: (error: unknown, errorInfo: RootErrorInfo, eventId: string | undefined) => void,
): (error: unknown, errorInfo: RootErrorInfo) => void {
  return (error, errorInfo) => {
    let eventId: string | undefined;
    try {
      const boundary = errorInfo?.errorBoundary;
      if (!(boundary instanceof ErrorBoundary)) {
        const handled = (boundary !== undefined && boundary !== null) || callback !== undefined;
        eventId = captureReactException(error, errorInfo, { mechanism: { type: 'react.errorhandler', handled } });
      }
    } catch (captureError) {
      logger.error('reactErrorHandler could not capture the error:', captureError);
    }
    if (!callback) return;
    try {
      callback(error, errorInfo, eventId);
    } catch (callbackError) {
      logger.error('The callback given to reactErrorHandler threw:', callbackError);
    }
  };
}
