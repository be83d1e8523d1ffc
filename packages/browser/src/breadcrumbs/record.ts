import type { Breadcrumb, BreadcrumbHint } from '@faultline/core';

/** Where an instrument hands its breadcrumbs (the integration adds them for its own client only). */
export type RecordBreadcrumb = (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => void;

/** A string for any value, for breadcrumb messages; never throws. */
export function safeString(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (value !== null && typeof value === 'object') return JSON.stringify(value) ?? String(value);
    return String(value);
  } catch {
    return '[unserializable]';
  }
}

/** The breadcrumb of one HTTP request made by the page: no status means it failed at the network level. */
export function httpBreadcrumb(category: 'fetch' | 'xhr', method: string, url: string, status?: number): Breadcrumb {
  const data = status === undefined ? { method, url } : { method, url, status_code: status };
  return { type: 'http', category, ...(status ? {} : { level: 'error' }), data };
}
