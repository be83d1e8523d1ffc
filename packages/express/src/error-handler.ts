import { captureException, logger } from '@faultline/core';
import type { ExpressRequest, ExpressResponse, NextFunction } from './types';

export interface ErrorHandlerOptions {
  /**
   * Whether to report an error that reached the handler. The default reports errors without an HTTP
   * status and those with a status of 500 or more, so 4xx errors (not found, bad input) are not
   * reported.
   */
  shouldHandleError?(error: unknown): boolean;
}

/** Response header with the event id, for support codes (see DESIGN.md). */
const EVENT_ID_HEADER = 'X-Faultline-Event-Id';

/**
 * The last error middleware, after the routes and before the app's own error handler: reports the
 * error, sets the `X-Faultline-Event-Id` response header, then passes the error on with `next(error)`
 * so the app's error handling runs as before (and `lastEventId()` there returns this event's id).
 */
export function errorHandler(
  options: ErrorHandlerOptions = {},
): (error: unknown, req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void {
  const shouldHandleError = options.shouldHandleError ?? defaultShouldHandleError;
  return function faultlineErrorHandler(error, _req, res, next) {
    try {
      if (shouldHandleError(error)) {
        const eventId = captureException(error, { mechanism: { type: 'express', handled: false } });
        if (!res.headersSent) res.setHeader(EVENT_ID_HEADER, eventId);
      }
    } catch (failure) {
      logger.error('The Express error handler failed:', failure);
    }
    next(error);
  };
}

export function defaultShouldHandleError(error: unknown): boolean {
  const status = errorStatus(error);
  return status === undefined || status >= 500;
}

/**
 * The HTTP status an error asks for, read as Express's final handler does (`status`, `statusCode`)
 * plus the spellings of other libraries (`status_code`, Boom's `output.statusCode`). Only 4xx and 5xx
 * count; Express answers 500 for anything else.
 */
function errorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  try {
    const e = error as { status?: unknown; statusCode?: unknown; status_code?: unknown; output?: { statusCode?: unknown } };
    const status = e.status ?? e.statusCode ?? e.status_code ?? e.output?.statusCode;
    return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
  } catch {
    return undefined;
  }
}
