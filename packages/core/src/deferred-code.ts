import { logger } from './logger';
import type { Envelope } from './envelope';
import type { Transport } from './transport/transport';

// The code only events need (building, bounding, serializing and sending them) is, in the Node-side
// ES module builds, in a file of its own that start-up does not load (rollup.config.mjs, "deferred"):
// an ES module cannot load code synchronously, so it comes with `import()`, a few seconds after
// start-up or with the first event. The builds' loaders register here. In source and in tests nothing
// registers: the code is always there, and everything below is a no-op. The other builds (CommonJS,
// which `require`s it on first use; one-file ES modules; CDN bundles) have a no-op module in its place
// (rollup.config.mjs, noDeferredCode).

type Load = () => Promise<unknown>;

/** Loaders registered and not loaded yet, in the order their packages started. */
const waiting: Load[] = [];
let loading: Promise<void> | undefined;
const onLoaded: Array<() => void> = [];

/** For the builds' loaders: `load` loads the package's deferred code; it may be called again after a failure. */
export function registerDeferredCode(load: Load): void {
  waiting.push(load);
}

/**
 * Undefined when the deferred code is loaded (always, except in an ES module app's first seconds);
 * else a promise that settles once it is, starting the load. What needs the code runs then.
 */
export function deferredCodeLoading(): Promise<void> | undefined {
  if (waiting.length === 0) return undefined;
  return (loading ??= loadWaiting().finally(() => {
    loading = undefined;
  }));
}

async function loadWaiting(): Promise<void> {
  // In order: a package's deferred code calls into that of the packages it builds on, which started
  // (and registered) before it. One that fails stays, for the next call to try again.
  while (waiting.length > 0) {
    await waiting[0]!();
    waiting.shift();
  }
  // Before whatever awaits the load goes on.
  for (const callback of onLoaded.splice(0)) callback();
}

/**
 * A transport factory whose transport is made once the deferred code is loaded: making one may call
 * into it (core's `createTransport`, a spool), and it may have timers of its own that do. Until then
 * nothing can be sent (events wait for the code to be built), and a `prepareForExit` is done as soon
 * as the transport exists.
 */
export function transportWhenLoaded<O>(factory: (options: O) => Transport): (options: O) => Transport {
  return (options) => {
    if (waiting.length === 0) return factory(options);
    let made: Transport | undefined;
    let exiting = false;
    // Not a load of its own: it comes with the first event or the preload.
    onLoaded.push(() => {
      try {
        made = factory(options);
        if (exiting) made.prepareForExit?.();
      } catch (error) {
        logger.error('The transport could not be created:', error);
      }
    });
    return {
      send: (envelope: Envelope) => made?.send(envelope) ?? Promise.resolve(),
      flush: (timeoutMs?: number) => made?.flush(timeoutMs) ?? Promise.resolve(true),
      prepareForExit: () => {
        if (made) made.prepareForExit?.();
        else exiting = true;
      },
    };
  };
}
