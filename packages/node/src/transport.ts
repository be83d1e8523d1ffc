import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createTransport, logger, type RequestExecutor, type Transport, type TransportOptions, type TransportResponse } from '@faultline/core';
import { builtin } from './builtin-modules';
import { createHttpClient, type Connector, type HttpClient } from './http-client';
import { bare, proxyAuthorization, proxyFor, tunnel, type ProxyEnvironment } from './proxy';
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
/** core's default wait before an earlier run's envelopes go out (TransportOptions.drainDelayMs). */
const DEFAULT_DRAIN_DELAY_MS = 1000;
// Small envelopes cost more CPU to compress than they save on the wire.
const GZIP_THRESHOLD_BYTES = 32 * 1024;

/**
 * The Node transport: core's queue, rate limits and retries over HTTP/1.1 (http-client.ts), with the disk
 * spool as its store. It is made on first use, or once an earlier run's envelopes in the spool are due
 * (after `drainDelayMs`): making the spool, the store layer and the request executor is about 1.5 ms that
 * start-up need not pay (profiled). Nothing is loaded, read or made on disk until it is needed.
 */
export function makeNodeTransport(options: NodeTransportOptions, env: ProxyEnvironment = process.env): Transport {
  let made: Transport | undefined;
  const transport = (): Transport => (made ??= createNodeTransport(options, env));
  if (!options.store && options.spoolDir !== false) {
    const delay = options.drainDelayMs;
    // Read as core reads it: anything but a positive number means the default.
    const due = setTimeout(transport, delay! > 0 && Number.isFinite(delay) ? delay! : DEFAULT_DRAIN_DELAY_MS);
    due.unref();
  }
  return {
    send: (envelope) => transport().send(envelope),
    flush: (timeoutMs) => (made ? made.flush(timeoutMs) : Promise.resolve(true)),
    // Sends from now on must reach the disk before they are tried: the transport has to exist for that.
    prepareForExit: () => transport().prepareForExit?.(),
  };
}

function createNodeTransport(options: NodeTransportOptions, env: ProxyEnvironment): Transport {
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
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proxy = proxyFor(target, options.proxy, env);
  // The same request line and headers for every envelope: only the length (and encoding) differ.
  const head = requestHead(target, proxy, options.headers);
  let client: HttpClient | undefined;

  return async ({ body }) => {
    client ??= createHttpClient(connector(target, proxy, options.caCerts, timeoutMs));
    let payload = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    let encoding = '';
    if (payload.byteLength > GZIP_THRESHOLD_BYTES) {
      const { gzip } = builtin('node:zlib');
      payload = await new Promise<Buffer>((resolve, reject) => gzip(payload, (error, zipped) => (error ? reject(error) : resolve(zipped))));
      encoding = 'content-encoding: gzip\r\n';
    }
    const response = await client.send(`${head}${encoding}content-length: ${payload.byteLength}\r\n\r\n`, payload, timeoutMs);
    return {
      statusCode: response.statusCode,
      headers: { 'x-sentry-rate-limits': response.headers['x-sentry-rate-limits'] ?? null, 'retry-after': response.headers['retry-after'] ?? null },
    };
  };
}

/**
 * `POST` and the headers but the length. Through a proxy, a plain http target is asked for with its
 * absolute URL (RFC 9112, 3.2.2); an https one goes through a tunnel and is asked for as if direct.
 */
function requestHead(target: URL, proxy: URL | undefined, extra: Record<string, string> = {}): string {
  const viaProxy = proxy && target.protocol === 'http:';
  const headers: Record<string, string> = { host: target.host };
  for (const [name, value] of Object.entries(extra)) {
    // What goes on the wire must not be able to end the head early or smuggle a header (RFC 9110, 5.1, 5.5).
    if (TOKEN.test(name) && typeof value === 'string' && FIELD_VALUE.test(value)) headers[name.toLowerCase()] = value;
    else logger.warn(`Ignoring the header ${JSON.stringify(name)}: not a valid HTTP header.`);
  }
  headers['content-type'] = 'application/x-sentry-envelope';
  const authorization = viaProxy ? proxyAuthorization(proxy) : undefined;
  if (authorization) headers['proxy-authorization'] = authorization;
  let head = `POST ${viaProxy ? `${target.origin}${target.pathname}${target.search}` : `${target.pathname}${target.search}`} HTTP/1.1\r\n`;
  for (const name in headers) if (!FRAMING.has(name)) head += `${name}: ${headers[name]}\r\n`;
  return head;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the client writes itself for each request. */
const FRAMING = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection']);

/**
 * How a connection to the server is made: directly, through an http(s) proxy, or for an https target
 * through a CONNECT tunnel with TLS end to end. node:tls is loaded only when something is https.
 */
function connector(target: URL, proxy: URL | undefined, ca: NodeTransportOptions['caCerts'], timeoutMs: number): Connector {
  const net = builtin('node:net');
  const isHttps = target.protocol === 'https:';
  const host = bare(target.hostname);
  const port = Number(target.port) || (isHttps ? 443 : 80);
  // No SNI for an IP address (RFC 6066, 3).
  const serverName = (name: string): string | undefined => (net.isIP(name) ? undefined : name);
  const toTarget = (socket?: Socket): Socket =>
    builtin('node:tls').connect({ host, port, socket, servername: serverName(host), ...(ca ? { ca } : {}) });
  if (!proxy) return isHttps ? () => toTarget() : () => net.connect({ host, port });
  const proxyHost = bare(proxy.hostname);
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const toProxy = (): Socket =>
    proxy.protocol === 'https:'
      ? builtin('node:tls').connect({ host: proxyHost, port: proxyPort, servername: serverName(proxyHost) })
      : net.connect({ host: proxyHost, port: proxyPort });
  if (!isHttps) return toProxy;
  return async () => toTarget(await tunnel(toProxy(), `${target.hostname}:${port}`, proxy, timeoutMs));
}
