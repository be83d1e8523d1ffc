// Entry of the CDN bundle: rollup makes it an IIFE that sets `window.Faultline` to these exports.
// When the loader snippet (../loader.js) ran first, `window.Faultline` is its stub: the calls and
// page errors it queued are replayed here, once the real API exists.
import {
  addBreadcrumb,
  captureEvent,
  captureException,
  captureMessage,
  getClient,
  init,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
} from './index';
import { setSdkFilename } from './stack-parser';

export {
  addBreadcrumb,
  addIntegration,
  breadcrumbsIntegration,
  browserApiErrorsIntegration,
  captureEvent,
  captureException,
  captureMessage,
  close,
  dedupeIntegration,
  defaultStackParser,
  flush,
  getClient,
  getCurrentScope,
  getDefaultIntegrations,
  getGlobalScope,
  getIsolationScope,
  globalHandlersIntegration,
  httpContextIntegration,
  inboundFiltersIntegration,
  init,
  lastEventId,
  linkedErrorsIntegration,
  makeBrowserTransport,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withIsolationScope,
  withScope,
  wrap,
} from './index';

interface LoaderStub {
  /** Calls made before the bundle loaded: [method, arguments], or ['error' | 'unhandledrejection', event]. */
  q?: Array<[string, ArrayLike<unknown> | ErrorEvent | PromiseRejectionEvent]>;
  /** The loader's own listeners, removed here. */
  error?: EventListener;
  unhandledrejection?: EventListener;
}

const replayable: Record<string, (...args: any[]) => unknown> = {
  init,
  captureException,
  captureMessage,
  captureEvent,
  addBreadcrumb,
  setUser,
  setTag,
  setTags,
  setContext,
  setExtra,
  setExtras,
};

function replay(stub: LoaderStub | undefined): void {
  const queue = stub?.q;
  if (!stub || !Array.isArray(queue)) return;
  for (const type of ['error', 'unhandledrejection'] as const) {
    const listener = stub[type];
    if (listener) removeEventListener(type, listener);
  }
  const errors: Array<() => void> = [];
  for (const [name, payload] of queue) {
    try {
      if (name === 'error' || name === 'unhandledrejection') {
        const event = payload as ErrorEvent & PromiseRejectionEvent;
        const value = name === 'error' ? event.error ?? event.message : event.reason;
        const mechanism = { type: name === 'error' ? 'onerror' : 'onunhandledrejection', handled: false };
        const data = name === 'error' ? { onerror: { filename: event.filename, lineno: event.lineno, colno: event.colno } } : undefined;
        errors.push(() => captureException(value, { mechanism, syntheticException: undefined, data }));
      } else {
        replayable[name]?.(...Array.from(payload as ArrayLike<unknown>));
      }
    } catch {
      // One bad queued call must not stop the others.
    }
  }
  // Page errors from before the bundle need a client: they go after the queued `init`.
  if (getClient()) errors.forEach((capture) => capture());
}

try {
  // Outside a page (a worker, a test) there is no script URL: every frame then counts as the app's.
  setSdkFilename((document.currentScript as HTMLScriptElement | null)?.src);
  replay((globalThis as { Faultline?: LoaderStub }).Faultline);
} catch {
  // Never fail the page's script load.
}
