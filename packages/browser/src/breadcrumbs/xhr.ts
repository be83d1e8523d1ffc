import { wrapMethod } from '@faultline/core';
import { httpBreadcrumb, type RecordBreadcrumb } from './record';

/**
 * Records each XMLHttpRequest when it ends, with its method, URL and status (`category: 'xhr'`).
 * Only `open` is wrapped (`send` belongs to the error wrapping, and core wraps a method once).
 */
export function instrumentXhr(record: RecordBreadcrumb, win: typeof globalThis = globalThis): () => void {
  const proto = win.XMLHttpRequest?.prototype;
  if (!proto) return () => undefined;
  const requests = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  const onEnd = function (this: XMLHttpRequest): void {
    const info = requests.get(this);
    if (!info) return;
    record(httpBreadcrumb('xhr', info.method, info.url, this.status));
  };
  return wrapMethod(proto, 'open', (original) =>
    function (this: XMLHttpRequest, ...args: unknown[]) {
      try {
        if (!requests.has(this)) this.addEventListener('loadend', onEnd);
        requests.set(this, { method: String(args[0]).toUpperCase(), url: String(args[1]) });
      } catch {
        // The request still opens.
      }
      return original.apply(this, args as Parameters<XMLHttpRequest['open']>);
    },
  );
}
