import { unwrap, wrapMethod } from '@faultline/core';
import type { RecordBreadcrumb } from './record';

/**
 * Records navigation within the page (`category: 'navigation'`, `data: { from, to }`): history
 * `pushState`/`replaceState` with a URL, and back/forward (`popstate`).
 */
export function instrumentHistory(record: RecordBreadcrumb, win: typeof globalThis = globalThis): () => void {
  const history = win.history;
  const location = win.location;
  if (!history || !location) return () => undefined;
  let last = location.href;
  const navigated = (to: string): void => {
    const from = last;
    last = to;
    if (from !== to) record({ category: 'navigation', data: { from, to } });
  };
  const method = (name: 'pushState' | 'replaceState'): (() => void) =>
    wrapMethod(history, name, (original) =>
      function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        try {
          if (args[2] != null) navigated(location.href);
        } catch {
          // The navigation happened; only the breadcrumb is lost.
        }
        return result;
      },
    );
  const undo = [method('pushState'), method('replaceState')];
  const onPopState = (): void => navigated(location.href);
  unwrap(win.addEventListener).call(win, 'popstate', onPopState);
  return () => {
    undo.forEach((done) => done());
    win.removeEventListener('popstate', onPopState);
  };
}
