import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { addBreadcrumb, envelopeEndpoint, getClient, type Client, type Integration, type SeverityLevel } from '@faultline/core';

export interface HttpIntegrationOptions {
  /** Breadcrumbs for `fetch` (undici) too (default true). */
  fetch?: boolean;
}

interface Channels {
  subscribe: typeof subscribe;
  unsubscribe: typeof unsubscribe;
}

/** What undici publishes about a `fetch` request (https://undici.nodejs.org/#/docs/api/DiagnosticsChannel). */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
}

/**
 * Records outgoing http/https and fetch requests as breadcrumbs, from Node's diagnostics channels:
 * nothing is wrapped, and a request we fail to describe costs the app nothing.
 * https://nodejs.org/api/diagnostics_channel.html#http
 */
export function httpIntegration(options: HttpIntegrationOptions = {}, channels: Channels = { subscribe, unsubscribe }): Integration {
  const subscriptions: Array<[string, (message: unknown) => void]> = [];

  return {
    name: 'Http',
    setup(client) {
      // Worked out on the first request seen, not at start-up.
      let isOwnRequest: ((url: string) => boolean) | undefined;
      const record = (method: string | undefined, url: string | undefined, statusCode: number | undefined, failed: boolean): void => {
        try {
          if (!url || getClient() !== client || method === 'CONNECT' || (isOwnRequest ??= ownRequestMatcher(client))(url)) return;
          addBreadcrumb(
            {
              type: 'http',
              category: 'http',
              level: failed ? 'error' : levelOfStatus(statusCode),
              data: { method: (method ?? 'GET').toUpperCase(), url, ...(statusCode === undefined ? {} : { status_code: statusCode }) },
            },
            {},
          );
        } catch {
          // A breadcrumb must never break the app's request.
        }
      };
      const on = (name: string, handler: (message: any) => void): void => {
        subscriptions.push([name, handler]);
        channels.subscribe(name, handler);
      };
      on('http.client.response.finish', ({ request, response }: { request: ClientRequest; response: IncomingMessage }) =>
        record(request.method, clientRequestUrl(request), response.statusCode, false),
      );
      on('http.client.request.error', ({ request }: { request: ClientRequest }) =>
        record(request.method, clientRequestUrl(request), undefined, true),
      );
      if (options.fetch === false) return;
      on('undici:request:headers', ({ request, response }: { request: UndiciRequest; response: { statusCode?: number } }) =>
        record(request.method, undiciRequestUrl(request), response.statusCode, false),
      );
      on('undici:request:error', ({ request }: { request: UndiciRequest }) => record(request.method, undiciRequestUrl(request), undefined, true));
    },
    teardown() {
      for (const [name, handler] of subscriptions.splice(0)) channels.unsubscribe(name, handler);
    },
  };
}

/** Query strings and fragments carry tokens and personal data; the breadcrumb keeps neither. */
function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function clientRequestUrl(request: ClientRequest): string | undefined {
  const path = request.path || '/';
  // Through a plain-HTTP proxy the path is the whole URL.
  if (/^https?:\/\//i.test(path)) return withoutQuery(path);
  const hostHeader = request.getHeader('host');
  const host = typeof hostHeader === 'string' ? hostHeader : request.host;
  return host ? withoutQuery(`${request.protocol || 'http:'}//${host}${path}`) : undefined;
}

function undiciRequestUrl(request: UndiciRequest): string | undefined {
  return request.origin ? withoutQuery(`${String(request.origin).replace(/\/$/, '')}${request.path ?? '/'}`) : undefined;
}

function levelOfStatus(statusCode: number | undefined): SeverityLevel | undefined {
  if (statusCode === undefined) return undefined;
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warning';
  return undefined;
}

/** Our own deliveries are not the app's traffic: the DSN's ingest endpoints and the tunnel. */
function ownRequestMatcher(client: Client): (url: string) => boolean {
  const dsn = client.getDsn();
  const { tunnel, sdk } = client.getOptions();
  const own: Array<{ origin: string; path: string }> = [];
  for (const endpoint of [dsn && envelopeEndpoint(dsn, sdk.name, sdk.version), tunnel]) {
    const url = endpoint ? safeUrl(endpoint) : undefined;
    // Any ingest endpoint of the project (envelope, store), not only the one we send to.
    if (url) own.push({ origin: url.origin, path: url.pathname.replace(/(\/api\/[^/]+\/)envelope\/$/, '$1') });
  }
  return (raw) => {
    if (own.length === 0) return false;
    const url = safeUrl(raw);
    return !!url && own.some((o) => o.origin === url.origin && url.pathname.startsWith(o.path));
  };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
