// Entry of the CDN bundle: rollup makes it an IIFE that sets `window.Faultline` to these exports.
// When the loader snippet (../loader.js) ran first, `window.Faultline` is its stub: the calls and
// page errors it queued are replayed here, once the real API exists.
import {
  addBreadcrumb,
  captureEvent,
  captureException,
  captureMessage,
  getClient,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
} from './index';
import { captureGlobalEvent } from './integrations/global-handlers';
import { initWithTransport, type BrowserOptions } from './sdk';
import { setSdkFilename } from './stack-parser';
import { makeBeaconTransport } from './transport/browser-transport';

/**
 * The package's `init`, delivering with fetch and `sendBeacon` but without the IndexedDB store for
 * envelopes lost offline, which only the npm package has: the bundle stays small.
 */
export function init(options?: BrowserOptions): ReturnType<typeof initWithTransport> {
  return initWithTransport(options, makeBeaconTransport);
}

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
  lastEventId,
  linkedErrorsIntegration,
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
  const pageErrors: Array<ErrorEvent | PromiseRejectionEvent> = [];
  for (const type of ['error', 'unhandledrejection'] as const) removeEventListener(type, stub[type]!);
  for (const [name, payload] of queue) {
    try {
      if (name === 'error' || name === 'unhandledrejection') {
        pageErrors.push(payload as ErrorEvent);
      } else {
        replayable[name]?.(...Array.from(payload as ArrayLike<unknown>));
      }
    } catch {
      // One bad queued call must not stop the others.
    }
  }
  // Page errors from before the bundle need a client: they go after the queued `init`.
  if (getClient()) pageErrors.forEach(captureGlobalEvent);
}

try {
  // Outside a page (a worker, a test) there is no script URL: every frame then counts as the app's.
  setSdkFilename((document.currentScript as HTMLScriptElement | null)?.src);
  replay((globalThis as { Faultline?: LoaderStub }).Faultline);
} catch {
  // Never fail the page's script load.
}
