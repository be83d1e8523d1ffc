import { wrapMethod } from '@faultline/core';
import { httpBreadcrumb, type RecordBreadcrumb } from './record';

/**
 * Records each `fetch` with its method, URL and status (`category: 'fetch'`), or as an error when
 * it fails. Faultline's own requests go through the unwrapped `fetch` and are not recorded.
 */
export function instrumentFetch(record: RecordBreadcrumb, win: typeof globalThis = globalThis): () => void {
  return wrapMethod(win, 'fetch', (original) =>
    function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      const { method, url } = describeRequest(input, init);
      const result = original.call(this, input, init) as Promise<Response>;
      // A side branch: the page gets the very promise fetch returned.
      result.then(
        (response) => record(httpBreadcrumb('fetch', method, url, response.status)),
        () => record(httpBreadcrumb('fetch', method, url)),
      );
      return result;
    },
  );
}

function describeRequest(input: RequestInfo | URL, init: RequestInit | undefined): { method: string; url: string } {
  try {
    const request = typeof input === 'object' && 'method' in input ? input : undefined;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    return { method, url: request ? request.url : String(input) };
  } catch {
    return { method: 'GET', url: '<unknown>' };
  }
}
