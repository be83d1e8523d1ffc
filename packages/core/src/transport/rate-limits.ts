import type { TransportResponse } from './transport';

// Rate limiting: https://develop.sentry.dev/sdk/rate-limiting/

/** Until when (ms since the epoch) each category, or `all`, must not be sent. */
export type RateLimits = Record<string, number>;

/** A 429 without any usable header backs off this long (the protocol's default). */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Until when `category` is disabled, counting limits on all categories; 0 when it is not. */
export function disabledUntil(limits: RateLimits, category: string): number {
  return Math.max(limits[category] ?? 0, limits.all ?? 0);
}

export function isRateLimited(limits: RateLimits, category: string, now: number = Date.now()): boolean {
  return disabledUntil(limits, category) > now;
}

/**
 * The limits after a response: `X-Sentry-Rate-Limits` on any status, else on a 429 `Retry-After`
 * (seconds or an HTTP date), else 60 s. Returns a new object without the expired limits. Never throws.
 */
export function updateRateLimits(
  limits: RateLimits,
  { statusCode, headers }: TransportResponse,
  now: number = Date.now(),
): RateLimits {
  const updated: RateLimits = {};
  for (const category of Object.keys(limits)) {
    const until = limits[category];
    if (until !== undefined && until > now) updated[category] = until;
  }
  // Keep the longest limit per category, whether two groups or two responses name it.
  const extend = (category: string, until: number): void => {
    if ((updated[category] ?? 0) < until) updated[category] = until;
  };

  const sentryLimits = headers?.['x-sentry-rate-limits'];
  if (typeof sentryLimits === 'string' && applySentryLimits(sentryLimits, now, extend)) return updated;
  if (statusCode === 429) extend('all', now + retryAfterMs(headers?.['retry-after'], now));
  return updated;
}

/**
 * `<seconds>:<cat;cat>:<scope>:<reason>, ...`; seconds may be a float, an empty category list means
 * all, anything after the categories is ignored, as are spaces and groups that do not parse.
 * Returns whether any group applied.
 */
function applySentryLimits(header: string, now: number, extend: (category: string, until: number) => void): boolean {
  let applied = false;
  for (const group of header.split(',')) {
    const [secondsText = '', categoryList = ''] = group.split(':', 2);
    const seconds = parseSeconds(secondsText);
    if (seconds === undefined) continue;
    const categories = categoryList
      .split(';')
      .map((category) => category.trim())
      .filter(Boolean);
    for (const category of categories.length ? categories : ['all']) extend(category, now + seconds * 1000);
    applied = true;
  }
  return applied;
}

function retryAfterMs(header: string | null | undefined, now: number): number {
  if (typeof header !== 'string') return DEFAULT_RETRY_AFTER_MS;
  const seconds = parseSeconds(header);
  if (seconds !== undefined) return seconds * 1000;
  // Retry-After may also be an HTTP date (RFC 9110, section 10.2.3).
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - now);
}

function parseSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  const seconds = trimmed ? Number(trimmed) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
