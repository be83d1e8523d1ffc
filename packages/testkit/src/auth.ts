import type { IncomingHttpHeaders } from 'node:http';

// https://develop.sentry.dev/sdk/overview/#authentication : the key comes in the query string
// (browsers, so no preflight is needed) or in `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7`.

export interface SentryAuth {
  key?: string;
  version?: string;
  client?: string;
}

export function readAuth(query: URLSearchParams, headers: IncomingHttpHeaders): SentryAuth {
  const fields = new Map<string, string>();
  const header = headers['x-sentry-auth'];
  if (typeof header === 'string') {
    for (const part of header.replace(/^\s*Sentry\s+/i, '').split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const pick = (name: string): string | undefined => query.get(name) || fields.get(name) || undefined;
  return { key: pick('sentry_key'), version: pick('sentry_version'), client: pick('sentry_client') };
}

/** The public key and project of a DSN, as a tunnel finds them in the envelope header. */
export function readDsn(dsn: unknown): { key: string; projectId: string } | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    const url = new URL(dsn);
    const projectId = url.pathname.split('/').filter(Boolean).pop();
    return url.username && projectId ? { key: decodeURIComponent(url.username), projectId } : undefined;
  } catch {
    return undefined;
  }
}
