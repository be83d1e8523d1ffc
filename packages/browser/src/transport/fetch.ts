import { unwrap, type RequestExecutor, type TransportResponse } from '@faultline/core';

// A page may have at most 64 KiB of keepalive request bodies in flight; a request over the quota
// fails at once (Fetch Standard, "fetch" step for keepalive: inflightKeepaliveBytes > 65536).
// Chromium also caps the number of keepalive requests; Sentry stays under 15.
const KEEPALIVE_BYTES = 65_536;
const KEEPALIVE_REQUESTS = 15;
const TIMEOUT_MS = 30_000;

let keepaliveBytes = 0;
let keepaliveRequests = 0;

/**
 * One envelope POST with `fetch`: no custom headers and a text body, so the browser sends it as a
 * simple request without a CORS preflight (auth is in the URL's query string). `keepalive` lets the
 * request outlive the page when the bodies in flight fit the quota; a larger one goes without.
 */
export function makeFetchRequest(url: string, win: typeof globalThis = globalThis): RequestExecutor {
  return ({ body }) => {
    // Read at call time and unwrapped: our own requests make no fetch breadcrumbs.
    const fetch = unwrap(win.fetch);
    const size = byteSize(body);
    const keepalive = keepaliveBytes + size <= KEEPALIVE_BYTES && keepaliveRequests < KEEPALIVE_REQUESTS;
    if (keepalive) {
      keepaliveBytes += size;
      keepaliveRequests++;
    }
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = setTimeout(() => controller?.abort(), TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      if (keepalive) {
        keepaliveBytes -= size;
        keepaliveRequests--;
      }
    };
    try {
      return fetch(url, { method: 'POST', body: body as BodyInit, keepalive, referrerPolicy: 'strict-origin', signal: controller?.signal }).then(
        (response): TransportResponse => {
          done();
          return {
            statusCode: response.status,
            headers: { 'x-sentry-rate-limits': response.headers.get('X-Sentry-Rate-Limits'), 'retry-after': response.headers.get('Retry-After') },
          };
        },
        (error: unknown) => {
          done();
          throw error;
        },
      );
    } catch (error) {
      done();
      return Promise.reject(error);
    }
  };
}

/** UTF-8 bytes of a body; exact only where it matters, near the keepalive quota. */
export function byteSize(body: string | Uint8Array): number {
  if (typeof body !== 'string') return body.byteLength;
  // Every UTF-16 unit is at most 3 UTF-8 bytes, and at least 1.
  if (body.length * 3 <= KEEPALIVE_BYTES || body.length > KEEPALIVE_BYTES) return body.length * 3;
  return new Blob([body]).size;
}
