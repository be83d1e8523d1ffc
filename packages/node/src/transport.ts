import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createTransport, logger, type EnvelopeStore, type RequestExecutor, type Transport, type TransportOptions, type TransportResponse } from '@faultline/core';
import { createProxiedRequests, proxyFor, type ProxyEnvironment } from './proxy';
import { createSpool } from './spool';

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
const gzipAsync = promisify(gzip);

/**
 * The Node transport: core's queue, rate limits and retries over node:http/https, with the disk
 * spool as its store.
 */
export function makeNodeTransport(options: NodeTransportOptions, env: ProxyEnvironment = process.env): Transport {
  return createTransport({ ...options, store: options.store ?? spoolFor(options) }, createNodeRequestExecutor(options, env));
}

/** The spool the options ask for; nothing is read or made on disk until it is used. */
export function spoolFor(options: NodeTransportOptions, tempDir: () => string = tmpdir): EnvelopeStore | undefined {
  if (options.spoolDir === false) return undefined;
  try {
    const dir = typeof options.spoolDir === 'string' && options.spoolDir ? options.spoolDir : defaultSpoolDir(options.url, tempDir());
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
  return join(tempDir, parent, createHash('sha256').update(identity).digest('hex').slice(0, 16));
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
