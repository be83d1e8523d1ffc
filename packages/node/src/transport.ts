import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import { join } from 'node:path';
import { createTransport, logger, type RequestExecutor, type Transport, type TransportOptions, type TransportResponse } from '@faultline/core';
import { builtin, networkModules } from './builtin-modules';
import { createProxiedRequests, proxyFor, type ProxyEnvironment } from './proxy';
import { createSpool, type Spool } from './spool';

export interface NodeTransportOptions extends TransportOptions {
  /** Proxy URL; default from `https_proxy`/`http_proxy` (either case), minus `no_proxy` hosts. */
  proxy?: string;
  /** A request still unanswered after this long is aborted, ms (default 10 000). */
  timeoutMs?: number;
  /** Certificates to trust instead of Node's bundled CAs (a self-hosted server with a private CA). */
  caCerts?: string | Buffer | Array<string | Buffer>;
  /**
   * Folder of the disk spool, where envelopes that could not be sent are kept across restarts
   * (default: a folder per DSN under the OS temp dir); false for none. Ignored when `store` is given.
   */
  spoolDir?: string | false;
  /** Most envelopes the spool keeps; past that the oldest go, counted as `cache_overflow` (default 10,000). */
  spoolMaxEntries?: number;
  /** Most bytes the spool keeps (default 64 MiB). */
  spoolMaxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// Small envelopes cost more CPU to compress than they save on the wire.
const GZIP_THRESHOLD_BYTES = 32 * 1024;

interface Client {
  request(options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest;
  options: RequestOptions;
}

/**
 * The Node transport: core's queue, rate limits and retries over node:http/https, with the disk
 * spool as its store. Nothing is loaded, read or made on disk until it is needed.
 */
export function makeNodeTransport(options: NodeTransportOptions, env: ProxyEnvironment = process.env): Transport {
  const spool = options.store ? undefined : spoolFor(options);
  const send = createNodeRequestExecutor(options, env);
  const transport = createTransport({ ...options, store: options.store ?? spool }, spool ? reportingOutages(send, spool) : send);
  if (!spool) return transport;
  return {
    ...transport,
    prepareForExit() {
      try {
        // What the spool holds in memory must be on disk before the process ends.
        spool.persistSync();
      } catch (error) {
        logger.error('Could not save the envelopes before exit:', error);
      }
      transport.prepareForExit?.();
    },
  };
}

/**
 * Tells the spool whether the server fails (unreachable, 5xx, 429): what it holds, and what it is
 * given from then on, may wait long and goes to disk; while the server answers it may stay in memory.
 */
function reportingOutages(send: RequestExecutor, spool: Spool): RequestExecutor {
  return async (request) => {
    let response: TransportResponse;
    try {
      response = await send(request);
    } catch (error) {
      spool.setDurable(true);
      throw error;
    }
    const status = response.statusCode ?? 0;
    spool.setDurable(status >= 500 || status === 429);
    return response;
  };
}

/**
 * The spool the options ask for; nothing is read or made on disk until it is used, and the default
 * folder is worked out only then (node:os, for the temp dir, is not loaded at start-up).
 */
export function spoolFor(options: NodeTransportOptions, tempDir: () => string = () => builtin('node:os').tmpdir()): Spool | undefined {
  if (options.spoolDir === false) return undefined;
  try {
    const { url, spoolDir } = options;
    const dir = typeof spoolDir === 'string' && spoolDir ? spoolDir : () => defaultSpoolDir(url, tempDir());
    return createSpool({ dir, maxEntries: options.spoolMaxEntries, maxBytes: options.spoolMaxBytes });
  } catch (error) {
    logger.error('No disk spool:', error);
    return undefined;
  }
}

/**
 * One folder per DSN (endpoint and public key), so apps reporting to different projects never send
 * each other's envelopes; the SDK version in the URL is left out, so an upgrade finds the old spool.
 * Under a folder per OS user: the temp dir is shared, and each user's spool is private to them.
 */
export function defaultSpoolDir(url: string, tempDir: string, uid: number | undefined = process.getuid?.()): string {
  const target = new URL(url);
  const identity = `${target.origin}${target.pathname}|${target.searchParams.get('sentry_key') ?? ''}`;
  const parent = uid === undefined ? 'faultline-spool' : `faultline-spool-${uid}`;
  return join(tempDir, parent, fnv1a64(identity));
}

/**
 * FNV-1a, 64 bits, as 16 hex digits: a folder name, not a secret, and node:crypto would cost 10 ms of
 * start-up to load (http://www.isthe.com/chongo/tech/comp/fnv/).
 */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

export function createNodeRequestExecutor(options: NodeTransportOptions, env: ProxyEnvironment = process.env): RequestExecutor {
  const target = new URL(options.url);
  const isHttps = target.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proxy = proxyFor(target, options.proxy, env);
  const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/x-sentry-envelope' };
  let client: Client | undefined;

  /** The agent and the request options, made on first use (which loads the network modules). */
  function connect(): Client {
    const modules = networkModules();
    const { http, https } = modules;
    // Node's keep-alive agent unrefs idle sockets (Agent#keepSocketAlive) and refs them again for a
    // request: a waiting connection never keeps the process alive, a request in flight does.
    const agentOptions: HttpsAgentOptions = { keepAlive: true, maxSockets: 30, ...(options.caCerts ? { ca: options.caCerts } : {}) };
    const proxied = proxy ? createProxiedRequests(proxy, isHttps, agentOptions, modules) : undefined;
    const agent = proxied?.agent ?? (isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions));
    const extra = proxied?.requestOptions(target) ?? {};
    return {
      request: proxy && !isHttps ? (proxy.protocol === 'https:' ? https.request : http.request) : isHttps ? https.request : http.request,
      // Made once: building them from the URL for each request is measurable at one request per event.
      options: {
        protocol: proxy && !isHttps ? proxy.protocol : target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        agent,
        ...extra,
        headers: { ...headers, ...extra.headers },
      },
    };
  }

  return async ({ body }) => {
    const { request, options: requestOptions } = (client ??= connect());
    let payload = typeof body === 'string' ? Buffer.from(body) : body;
    const requestHeaders: Record<string, string> = { ...requestOptions.headers } as Record<string, string>;
    if (payload.byteLength > GZIP_THRESHOLD_BYTES) {
      const { gzip } = builtin('node:zlib');
      payload = await new Promise<Buffer>((resolve, reject) => gzip(payload, (error, zipped) => (error ? reject(error) : resolve(zipped))));
      requestHeaders['content-encoding'] = 'gzip';
    }
    requestHeaders['content-length'] = String(payload.byteLength);
    const send = (canRetry: boolean): Promise<TransportResponse> =>
      new Promise<TransportResponse>((resolve, reject) => {
        const outgoing = request({ ...requestOptions, headers: requestHeaders }, (response) => {
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
        });
        // A deadline for the whole request, not only for idle time (which is what `timeout` means).
        const timer = setTimeout(() => outgoing.destroy(new Error(`No response within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
        outgoing.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          // The server closed a kept-alive connection just as it was reused: not an outage, try once
          // more on a new one (Node's documented race, see `request.reusedSocket`).
          if (canRetry && outgoing.reusedSocket && error.code === 'ECONNRESET') resolve(send(false));
          else reject(error);
        });
        outgoing.end(payload);
      });
    return send(true);
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
