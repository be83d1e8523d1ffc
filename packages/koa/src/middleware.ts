import { AsyncResource } from 'node:async_hooks';
import { captureException, getClient, logger, toRequestData, withIsolationScope, type Event } from '@faultline/core';
import type { KoaContext, KoaNext } from './types';

export interface MiddlewareOptions<Ctx extends KoaContext = KoaContext> {
  /**
   * Whether to report an error thrown by a later middleware. The default reports errors without an
   * HTTP status and those with a status of 500 or more, so `ctx.throw(404)` and other 4xx errors are
   * not reported.
   */
  shouldHandleError?(error: unknown, ctx: Ctx): boolean;
}

/**
 * The first middleware: runs the rest of the request in its own isolation scope (tags, user and
 * breadcrumbs set while handling it stay on its events only, which get the request data and the
 * route as transaction), reports errors thrown downstream and rethrows them, so Koa and the app
 * handle them as before.
 */
export function middleware<Ctx extends KoaContext = KoaContext>(options: MiddlewareOptions<Ctx> = {}): (ctx: Ctx, next: KoaNext) => Promise<void> {
  const shouldHandleError = options.shouldHandleError ?? defaultShouldHandleError;
  return function faultlineMiddleware(ctx, next) {
    let entered = false;
    try {
      return withIsolationScope(async (scope) => {
        entered = true;
        scope.addEventProcessor((event) => addRequest(event, ctx));
        try {
          await next();
        } catch (error) {
          report(error, ctx, shouldHandleError);
          throw error;
        }
      });
    } catch (error) {
      if (entered) throw error;
      logger.error('The Koa middleware failed:', error);
      return next().then(() => undefined);
    }
  };
}

function report<Ctx extends KoaContext>(error: unknown, ctx: Ctx, shouldHandleError: (error: unknown, ctx: Ctx) => boolean): void {
  try {
    if (shouldHandleError(error, ctx)) captureException(error, { mechanism: { type: 'koa', handled: false } });
    // Koa answers the error in `ctx.onerror`, called from a promise chain that began outside this
    // middleware and so outside this request's scope. Running it in this scope lets the app's
    // `app.on('error')` listeners read `lastEventId()` and the request's tags and user.
    const onerror = ctx.onerror;
    ctx.onerror = AsyncResource.bind((e: unknown) => onerror.call(ctx, e));
  } catch (failure) {
    logger.error('The Koa middleware failed to report an error:', failure);
  }
}

export function defaultShouldHandleError(error: unknown): boolean {
  const status = errorStatus(error);
  return status === undefined || status >= 500;
}

/** The status Koa answers an error with (`status`, else `statusCode`), when it is a 4xx or 5xx. */
function errorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  try {
    const e = error as { status?: unknown; statusCode?: unknown };
    const status = e.status ?? e.statusCode;
    return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
  } catch {
    return undefined;
  }
}

function addRequest(event: Event, ctx: KoaContext): Event {
  const request = toRequestData(
    { method: ctx.method, url: ctx.originalUrl, protocol: ctx.protocol, headers: ctx.headers, ip: ctx.ip },
    { sendDefaultPii: getClient()?.getOptions().sendDefaultPii },
  );
  event.request = { ...request, ...event.request };
  const route = ctx._matchedRoute;
  if (!event.transaction && typeof route === 'string') event.transaction = `${ctx.method} ${route}`;
  return event;
}
