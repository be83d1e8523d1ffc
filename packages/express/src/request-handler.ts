import { getClient, logger, toRequestData, withIsolationScope, type Event } from '@faultline/core';
import type { ExpressRequest, ExpressResponse, NextFunction } from './types';

/**
 * The first middleware: runs the rest of the request in its own isolation scope, so tags, user and
 * breadcrumbs set while handling it stay on its events only, and gives those events the request data
 * and the route as transaction. Reading the request waits until an event is captured, so requests
 * that capture nothing pay only for the scope.
 */
export function requestHandler(): (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void {
  return function faultlineRequestHandler(req, _res, next) {
    let entered = false;
    try {
      withIsolationScope((scope) => {
        entered = true;
        const route = trackRoute(req);
        scope.addEventProcessor((event) => addRequest(event, req, route));
        next();
      });
    } catch (error) {
      // A failure of ours must not stall the request; an error from the app's own handlers is Express's.
      if (entered) throw error;
      logger.error('The Express request handler failed:', error);
      next();
    }
  };
}

/** The route template that matched the request, such as `/orders/:id`, once one has. */
type RouteTemplate = () => string | undefined;

/**
 * Express sets `req.route` to the matched route, whose `path` is relative to its router, and restores
 * `req.baseUrl` (the router's mount path) when the request leaves that router, which an error does
 * before it reaches an app-level error handler. So the mount path is read when `req.route` is set.
 * It is the path as matched: a mount path with parameters shows their values.
 */
function trackRoute(req: ExpressRequest): RouteTemplate {
  let route = req.route;
  let mountPath = '';
  try {
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set(value: ExpressRequest['route']) {
        route = value;
        mountPath = req.baseUrl ?? '';
      },
    });
  } catch {
    // A request object that cannot take the property still gets the route relative to its router.
  }
  return () => {
    const path = route?.path;
    return typeof path === 'string' ? `${mountPath}${path}` : undefined;
  };
}

function addRequest(event: Event, req: ExpressRequest, route: RouteTemplate): Event {
  const request = toRequestData(
    { method: req.method, url: req.originalUrl ?? req.url, protocol: req.protocol, headers: req.headers, ip: req.ip },
    { sendDefaultPii: getClient()?.getOptions().sendDefaultPii },
  );
  event.request = { ...request, ...event.request };
  const template = route();
  if (!event.transaction && template && typeof req.method === 'string') event.transaction = `${req.method.toUpperCase()} ${template}`;
  return event;
}
