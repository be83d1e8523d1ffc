import type { Socket } from 'node:net';
import { logger } from '@faultline/core';
import { ResponseReader } from './response-reader';

export type ProxyEnvironment = Record<string, string | undefined>;

/**
 * The proxy for a target: the explicit one, else `https_proxy` (https targets) or `http_proxy`,
 * lowercase first as curl reads them; none when `no_proxy` lists the target's host.
 */
export function proxyFor(target: URL, explicit: string | undefined, env: ProxyEnvironment): URL | undefined {
  const isHttps = target.protocol === 'https:';
  const raw = explicit || (isHttps ? env.https_proxy || env.HTTPS_PROXY : undefined) || env.http_proxy || env.HTTP_PROXY;
  if (!raw || isNoProxy(target, env.no_proxy ?? env.NO_PROXY)) return undefined;
  try {
    const proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
    if (proxy.protocol === 'http:' || proxy.protocol === 'https:') return proxy;
  } catch {
    // fall through to the warning
  }
  logger.warn(`Ignoring the proxy ${JSON.stringify(raw)}: not an http(s) URL.`);
  return undefined;
}

/**
 * `no_proxy` as curl and most tools read it: comma or space separated hosts, each matching itself
 * and its subdomains (`example.com`, `.example.com`, `*.example.com`), optionally with a port; `*`
 * matches everything.
 */
export function isNoProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = bare(target.hostname).toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      if (raw === '*') return true;
      const entry = parseNoProxyEntry(raw.toLowerCase());
      if (entry.port && entry.port !== port) return false;
      const name = entry.name.replace(/^\*?\./, '.');
      if (name.startsWith('.')) return host.endsWith(name) || host === name.slice(1);
      return host === name || host.endsWith(`.${name}`);
    });
}

/** A URL's host name without the brackets of an IPv6 address. */
export function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (which has no port). */
function parseNoProxyEntry(entry: string): { name: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, port: bracketed[2] };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  return withPort ? { name: withPort[1]!, port: withPort[2] } : { name: entry };
}

/** The `Proxy-Authorization` value for the credentials in the proxy URL, if it has any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/**
 * Asks the proxy on `socket` for a tunnel to `authority` (`host:port`) with CONNECT (RFC 9110, 9.3.6);
 * resolves with the same socket once the proxy answered 2xx, ready for TLS with the target.
 */
export function tunnel(socket: Socket, authority: string, proxy: URL, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const reader = new ResponseReader(true);
    const timer = setTimeout(() => fail(new Error(`The proxy did not open a tunnel within ${timeoutMs} ms`)), timeoutMs);
    const stop = (): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onClose).off('close', onClose).off('error', fail);
    };
    function fail(error: Error): void {
      stop();
      socket.destroy();
      reject(error);
    }
    function onClose(): void {
      fail(new Error(`The proxy closed the connection instead of tunnelling to ${authority}`));
    }
    function onData(chunk: Buffer): void {
      let complete: boolean;
      try {
        complete = reader.push(chunk);
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (!complete) return;
      const status = reader.head!.statusCode;
      if (status >= 300) {
        fail(new Error(`The proxy refused the tunnel to ${authority}: ${status}`));
        return;
      }
      stop();
      if (reader.rest) socket.unshift(reader.rest);
      resolve(socket);
    }
    socket.on('data', onData).on('end', onClose).on('close', onClose).on('error', fail);
    const authorization = proxyAuthorization(proxy);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${authorization ? `proxy-authorization: ${authorization}\r\n` : ''}\r\n`, 'latin1');
  });
}
