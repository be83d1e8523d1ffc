import { IncomingMessage } from 'node:http';
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
      trackRoutes(req);
      withIsolationScope((scope) => {
        entered = true;
        scope.addEventProcessor((event) => addRequest(event, req));
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

/** What Express set as `req.route`, and the mount path at that moment. */
interface MatchedRoute {
  route: ExpressRequest['route'];
  mountPath: string | undefined;
}

/**
 * Kept beside the request, not on it: each Express request has a shape of its own (Express changes
 * its prototype), so a property added to it costs a new hidden class, more than a WeakMap entry.
 */
const matchedRoutes = new WeakMap<object, MatchedRoute>();

/** Request prototypes already looked at: one check per request, the work once per app. */
const seenPrototypes = new WeakSet<object>();

/**
 * Express sets `req.route` to the matched route, whose `path` is relative to its router, and restores
 * `req.baseUrl` (the router's mount path) when the request leaves that router, which an error does
 * before it reaches an app-level error handler. So the mount path is read when `req.route` is set, by
 * an accessor on Express's request prototype (`express.request`, below every app's and sub-app's
 * `app.request`): defined once, where one on each request would cost more than the rest of this
 * middleware, as V8 gives every request object a new shape. It is the path as matched: a mount path
 * with parameters shows their values.
 */
function trackRoutes(req: ExpressRequest, base: object = IncomingMessage.prototype): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (!proto || seenPrototypes.has(proto)) return;
  seenPrototypes.add(proto);
  // Express's request prototype is the one right above Node's IncomingMessage; not found (not
  // Express, or another request class), events get the route relative to its router.
  let target: object | null = proto;
  while (target && Object.getPrototypeOf(target) !== base) target = Object.getPrototypeOf(target) as object | null;
  if (!target || Object.prototype.hasOwnProperty.call(target, 'route')) return;
  Object.defineProperty(target, 'route', {
    configurable: true,
    get(this: ExpressRequest) {
      return matchedRoutes.get(this)?.route;
    },
    set(this: ExpressRequest, route: ExpressRequest['route']) {
      matchedRoutes.set(this, { route, mountPath: this.baseUrl });
    },
  });
}

/** The route template that matched the request, such as `/orders/:id`, once one has. */
function routeTemplate(req: ExpressRequest): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? `${matchedRoutes.get(req)?.mountPath ?? ''}${path}` : undefined;
}

function addRequest(event: Event, req: ExpressRequest): Event {
  const request = toRequestData(
    { method: req.method, url: req.originalUrl ?? req.url, protocol: req.protocol, headers: req.headers, ip: req.ip },
    { sendDefaultPii: getClient()?.getOptions().sendDefaultPii },
  );
  event.request = { ...request, ...event.request };
  const template = routeTemplate(req);
  if (!event.transaction && template && typeof req.method === 'string') event.transaction = `${req.method.toUpperCase()} ${template}`;
  return event;
}
