// The parts of Fastify this package uses, typed structurally so that the package works with
// Fastify 4 and 5 (and their types) without depending on either.
import type { IncomingHttpHeaders } from 'node:http';

export interface FastifyRequest {
  method: string;
  /** The URL as the client sent it, with its query string. */
  url: string;
  /** `http` or `https`, honouring `trustProxy`. */
  protocol?: string;
  headers: IncomingHttpHeaders;
  /** The client's address, honouring `trustProxy`. */
  ip?: string;
  /** The matched route; `url` is its template. */
  routeOptions?: { url?: string };
}

export interface FastifyReply {
  statusCode: number;
}

export type HookDone = (error?: Error) => void;

export interface FastifyInstance {
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
}
