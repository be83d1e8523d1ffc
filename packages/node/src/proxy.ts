import type * as http from 'node:http';
import type * as https from 'node:https';
import type * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { logger } from '@faultline/core';
import type { NetworkModules } from './builtin-modules';

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
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
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

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (which has no port). */
function parseNoProxyEntry(entry: string): { name: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, port: bracketed[2] };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  return withPort ? { name: withPort[1]!, port: withPort[2] } : { name: entry };
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

export interface ProxiedRequest {
  agent: http.Agent;
  /** Options that send the request for `target` through the proxy. */
  requestOptions(target: URL): http.RequestOptions;
}

/**
 * An https target is reached through a CONNECT tunnel, TLS end to end with the target; a plain http
 * target is requested from the proxy with the absolute URL (RFC 9110, 9.3.6 and 7.1).
 */
export function createProxiedRequests(
  proxy: URL,
  targetIsHttps: boolean,
  agentOptions: https.AgentOptions,
  { http, https, net, tls }: NetworkModules,
): ProxiedRequest {
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const proxyModule = proxy.protocol === 'https:' ? https : http;
  if (!targetIsHttps) {
    const agent = new proxyModule.Agent(agentOptions);
    return {
      agent,
      requestOptions: (target) => ({
        hostname: proxyHost,
        port: proxyPort,
        path: target.href,
        headers: { host: target.host, ...proxyAuthorization(proxy) },
      }),
    };
  }
  const agent = new https.Agent(agentOptions);
  agent.createConnection = (options, callback) => {
    const authority = `${options.host}:${options.port}`;
    const connect = proxyModule.request({
      host: proxyHost,
      port: proxyPort,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      agent: false,
    });
    const fail = (error: Error): void => callback?.(error, undefined as unknown as Duplex);
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        fail(new Error(`The proxy refused the tunnel to ${authority}: ${response.statusCode}`));
        return;
      }
      const { path: _path, ...tlsOptions } = options as tls.ConnectionOptions & { path?: string };
      // The agent leaves `servername` empty for an IP address, where SNI is not allowed (RFC 6066, 3).
      const host = String(options.host);
      const servername = tlsOptions.servername ?? (net.isIP(host) ? undefined : host);
      callback?.(null, tls.connect({ ...tlsOptions, socket, servername }));
    });
    connect.once('error', fail);
    connect.end();
    return undefined;
  };
  return { agent, requestOptions: () => ({}) };
}
