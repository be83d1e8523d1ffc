import type { RequestData } from './types';

/** What a server framework knows about an incoming request. */
export interface IncomingRequest {
  method?: string;
  /** The absolute URL, or the path with its query string (the Host header then completes it). */
  url?: string;
  /** `http` or `https`, used when `url` is only a path (default `http`). */
  protocol?: string;
  headers?: Record<string, string | string[] | number | undefined>;
  /** The client's address. */
  ip?: string;
}

export interface RequestDataOptions {
  /** Keep cookies, auth headers, secret-looking query parameters and the client IP (default false). */
  sendDefaultPii?: boolean;
}

// Names of headers and query parameters whose values are credentials or session state.
const SECRET_NAME = /auth|token|secret|passw|pwd|api[-_.]?key|credential|session|cookie|csrf|xsrf|signature|jwt|^(key|sig|code)$/i;

// Headers that carry the client's address, set by proxies and CDNs.
export const CLIENT_IP_HEADERS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-forwarded-for',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'true-client-ip',
  'fastly-client-ip',
  'fly-client-ip',
]);

/**
 * The event protocol's `request` for an incoming request. Unless `sendDefaultPii` is set, credentials
 * (cookies, `Authorization` and API-key headers, secret-looking query parameters, user info in the URL)
 * and the client's address are left out. The body is never included.
 */
export function toRequestData(request: IncomingRequest, options: RequestDataOptions = {}): RequestData {
  try {
    const pii = options.sendDefaultPii === true;
    const data: RequestData = {};
    if (typeof request.method === 'string') data.method = request.method.toUpperCase();
    const headers = request.headers ? toHeaders(request.headers, pii) : undefined;
    if (typeof request.url === 'string') {
      const { url, query } = splitUrl(request.url, request.protocol, headerValue(request.headers?.host));
      data.url = url;
      const kept = pii ? query : withoutSecrets(query);
      if (kept) data.query_string = kept;
    }
    if (headers) data.headers = headers;
    if (pii && typeof request.ip === 'string' && request.ip) data.env = { REMOTE_ADDR: request.ip };
    return data;
  } catch {
    return {};
  }
}

function toHeaders(raw: NonNullable<IncomingRequest['headers']>, pii: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = headerValue(raw[name]);
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (!pii && (SECRET_NAME.test(lower) || CLIENT_IP_HEADERS.has(lower))) continue;
    headers[lower] = value;
  }
  return headers;
}

function headerValue(value: string | string[] | number | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.join(', ');
  return undefined;
}

/** The URL without query string, fragment and user info, and the query string apart. */
function splitUrl(raw: string, protocol = 'http', host: string | undefined): { url: string; query: string } {
  const hash = raw.indexOf('#');
  const withoutHash = hash === -1 ? raw : raw.slice(0, hash);
  const mark = withoutHash.indexOf('?');
  let url = mark === -1 ? withoutHash : withoutHash.slice(0, mark);
  const query = mark === -1 ? '' : withoutHash.slice(mark + 1);
  if (url.startsWith('/') && !url.startsWith('//')) {
    if (host) url = `${protocol}://${host}${url}`;
  } else {
    url = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
  return { url, query };
}

function withoutSecrets(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((pair) => pair && !SECRET_NAME.test(decodeName(pair)))
    .join('&');
}

function decodeName(pair: string): string {
  const eq = pair.indexOf('=');
  const name = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
