import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createTransport, type RequestExecutor, type Transport, type TransportOptions, type TransportResponse } from '@faultline/core';
import { createProxiedRequests, proxyFor, type ProxyEnvironment } from './proxy';

export interface NodeTransportOptions extends TransportOptions {
  /** Proxy URL; default from `https_proxy`/`http_proxy` (either case), minus `no_proxy` hosts. */
  proxy?: string;
  /** A request still unanswered after this long is aborted, ms (default 10 000). */
  timeoutMs?: number;
  /** Certificates to trust instead of Node's bundled CAs (a self-hosted server with a private CA). */
  caCerts?: string | Buffer | Array<string | Buffer>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// Small envelopes cost more CPU to compress than they save on the wire.
const GZIP_THRESHOLD_BYTES = 32 * 1024;
const gzipAsync = promisify(gzip);

/** The Node transport: core's queue, rate limits and retries over node:http/https. */
export function makeNodeTransport(options: NodeTransportOptions, env: ProxyEnvironment = process.env): Transport {
  return createTransport(options, createNodeRequestExecutor(options, env));
}

export function createNodeRequestExecutor(options: NodeTransportOptions, env: ProxyEnvironment = process.env): RequestExecutor {
  const target = new URL(options.url);
  const isHttps = target.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Node's keep-alive agent unrefs idle sockets (Agent#keepSocketAlive) and refs them again for a
  // request: a waiting connection never keeps the process alive, a request in flight does.
  const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets: 30, ...(options.caCerts ? { ca: options.caCerts } : {}) };
  const proxy = proxyFor(target, options.proxy, env);
  const proxied = proxy ? createProxiedRequests(proxy, isHttps, agentOptions) : undefined;
  const agent = proxied?.agent ?? (isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions));
  const requestModule = proxy && !isHttps ? (proxy.protocol === 'https:' ? https : http) : isHttps ? https : http;

  return async ({ body }) => {
    let payload = typeof body === 'string' ? Buffer.from(body) : body;
    const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/x-sentry-envelope' };
    if (payload.byteLength > GZIP_THRESHOLD_BYTES) {
      payload = await gzipAsync(payload);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(payload.byteLength);
    const extra = proxied?.requestOptions(target) ?? {};
    return new Promise<TransportResponse>((resolve, reject) => {
      const request = requestModule.request(
        target,
        { ...extra, method: 'POST', agent, headers: { ...headers, ...extra.headers } },
        (response) => {
          const done = (): void => {
            clearTimeout(timer);
            resolve({
              statusCode: response.statusCode,
              headers: {
                'x-sentry-rate-limits': headerValue(response.headers['x-sentry-rate-limits']),
                'retry-after': headerValue(response.headers['retry-after']),
              },
            });
          };
          // The body is read to its end so the socket goes back to the pool.
          response.resume();
          response.once('end', done);
          response.once('close', done);
        },
      );
      // A deadline for the whole request, not only for idle time (which is what `timeout` means).
      const timer = setTimeout(() => request.destroy(new Error(`No response within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
