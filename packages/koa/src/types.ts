// The parts of Koa's context this package reads, typed structurally so that the package works with
// Koa 2 and 3 (and their @types) without depending on either.
import type { IncomingHttpHeaders } from 'node:http';

export interface KoaContext {
  method: string;
  /** The URL as the client sent it; `url` may be rewritten by middleware. */
  originalUrl: string;
  /** `http` or `https`, honouring `app.proxy`. */
  protocol: string;
  headers: IncomingHttpHeaders;
  /** The client's address, honouring `app.proxy`. */
  ip: string;
  /** The route template, set by `@koa/router` when one of its routes matches. */
  _matchedRoute?: unknown;
  /** Answers an error and emits the app's `error` event; Koa calls it for errors that leave the middleware. */
  onerror(error: unknown): void;
}

export type KoaNext = () => Promise<unknown>;
