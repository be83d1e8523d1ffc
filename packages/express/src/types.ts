// The parts of Express's request and response this package reads, typed structurally so that the
// package works with Express 4 and 5 (and their @types) without depending on either.
import type { IncomingHttpHeaders } from 'node:http';

export interface ExpressRequest {
  method?: string;
  /** The URL as the client sent it; `url` is rewritten by mounted routers. */
  originalUrl?: string;
  url?: string;
  /** `http` or `https`, honouring the app's `trust proxy` setting. */
  protocol?: string;
  headers: IncomingHttpHeaders;
  /** The client's address, honouring `trust proxy`. */
  ip?: string;
  baseUrl?: string;
  /** The matched route, set by Express once a route handles the request. */
  route?: { path?: unknown };
}

export interface ExpressResponse {
  headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

export type NextFunction = (error?: unknown) => void;
