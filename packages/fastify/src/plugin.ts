import { captureException, getClient, logger, toRequestData, withIsolationScope, type Event } from '@faultline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookDone } from './types';

export interface PluginOptions {
  /**
   * Whether to report an error from a route or hook. The default reports errors without an HTTP
   * status and those with a status of 500 or more, so validation errors, not-found and other 4xx
   * errors are not reported.
   */
  shouldHandleError?(error: unknown, request: FastifyRequest, reply: FastifyReply): boolean;
}

/**
 * Register with `app.register(plugin)` before the routes. It applies to the whole app, not only to
 * its own encapsulation context: each request runs in its own isolation scope (tags, user and
 * breadcrumbs set while handling it stay on its events only, which get the request data and the
 * route as transaction), and errors from routes and hooks are reported before the app's error
 * handler runs, so `lastEventId()` there returns the event's id.
 */
function faultlinePlugin(fastify: FastifyInstance, options: PluginOptions, done: HookDone): void {
  const shouldHandleError = options?.shouldHandleError ?? defaultShouldHandleError;
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, next: HookDone) => {
    let entered = false;
    try {
      withIsolationScope((scope) => {
        entered = true;
        scope.addEventProcessor((event) => addRequest(event, request));
        // The rest of the request runs from here; Fastify carries this async context across reading
        // the body itself (an AsyncResource in its content-type parser, since Fastify 4.0).
        next();
      });
    } catch (error) {
      if (entered) throw error;
      logger.error('The Fastify onRequest hook failed:', error);
      next();
    }
  });
  // Fastify runs onError hooks before the app's error handler, once per error.
  fastify.addHook('onError', (request: FastifyRequest, reply: FastifyReply, error: unknown, next: HookDone) => {
    try {
      if (shouldHandleError(error, request, reply)) captureException(error, { mechanism: { type: 'fastify', handled: false } });
    } catch (failure) {
      logger.error('The Fastify onError hook failed:', failure);
    }
    next();
  });
  done();
}

/**
 * The Fastify plugin. `skip-override` makes Fastify add its hooks to the app that registers it
 * rather than to a new encapsulation context, as `fastify-plugin` does.
 */
export const plugin = Object.assign(faultlinePlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@faultline/fastify',
});

export function defaultShouldHandleError(error: unknown, _request: FastifyRequest, reply: FastifyReply): boolean {
  const status = errorStatus(error, reply);
  return status === undefined || status >= 500;
}

/**
 * The status Fastify's default error handler answers with: a 4xx or 5xx the route set on the reply,
 * else the error's `statusCode` or `status` when it is 4xx or 5xx.
 */
function errorStatus(error: unknown, reply: FastifyReply): number | undefined {
  const isHttpError = (status: unknown): status is number => typeof status === 'number' && status >= 400 && status < 600;
  try {
    if (isHttpError(reply.statusCode)) return reply.statusCode;
    if (error === null || typeof error !== 'object') return undefined;
    const e = error as { statusCode?: unknown; status?: unknown };
    const status = e.statusCode ?? e.status;
    return isHttpError(status) ? status : undefined;
  } catch {
    return undefined;
  }
}

function addRequest(event: Event, request: FastifyRequest): Event {
  const data = toRequestData(
    { method: request.method, url: request.url, protocol: request.protocol, headers: request.headers, ip: request.ip },
    { sendDefaultPii: getClient()?.getOptions().sendDefaultPii },
  );
  event.request = { ...data, ...event.request };
  const route = request.routeOptions?.url;
  if (!event.transaction && typeof route === 'string') event.transaction = `${request.method} ${route}`;
  return event;
}
