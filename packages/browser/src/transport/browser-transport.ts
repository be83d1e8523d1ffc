import {
  createTransport,
  serializeEnvelope,
  type Envelope,
  type RequestExecutor,
  type Transport,
  type TransportOptions,
} from '@faultline/core';
import { makeFetchRequest } from './fetch';
import { createOfflineStore, type OfflineStoreOptions } from './offline-store';

export interface BrowserTransportOptions extends TransportOptions {
  /** Keep envelopes lost to the network in IndexedDB and send them later (default true). */
  offline?: boolean | OfflineStoreOptions;
}

// Set while the store holds something, so a page load opens IndexedDB only when there is work.
const STORED_FLAG = 'faultline-offline';
const DRAIN_DELAY_MS = 1000;

/**
 * The npm package's transport: `makeBeaconTransport`, and what the network lost kept in IndexedDB
 * and sent when the page is online again or on the next load (unless `offline: false`).
 */
export function makeBrowserTransport(options: BrowserTransportOptions, win: typeof globalThis = globalThis): Transport {
  const { offline } = options;
  const store = offline === false ? undefined : createOfflineStore(typeof offline === 'object' ? offline : {}, guard(() => win.indexedDB));
  if (!store) return makeBeaconTransport(options, win);
  const storage = guard(() => win.localStorage);
  const transport = makeBeaconTransport(options, win, (body) => {
    guard(() => storage?.setItem(STORED_FLAG, '1'));
    void store.push(body);
  });
  const drain = (): void => {
    // Without localStorage (blocked, sandboxed) the store is looked at every time.
    if (storage && !storage.getItem(STORED_FLAG)) return;
    storage?.removeItem(STORED_FLAG);
    void store.takeAll().then((envelopes) => envelopes.forEach(transport.send));
  };
  guard(() => {
    win.addEventListener('online', () => guard(drain));
    setTimeout(() => guard(drain), DRAIN_DELAY_MS);
  });
  return transport;
}

/**
 * Core's transport (queue, rate limits, retries, client reports) over `fetch` with `keepalive`.
 * When the page is hidden or unloaded, what is still queued goes out with `navigator.sendBeacon`
 * (the request in flight is a keepalive fetch and survives on its own). `keep`, when given, takes
 * what the network lost and what the beacon could not take, instead of it being counted as lost.
 * The CDN bundle's transport, without `keep`.
 */
export function makeBeaconTransport(options: TransportOptions, win: typeof globalThis = globalThis, keep?: (body: string) => void): Transport {
  const fetchRequest = makeFetchRequest(options.url, win);
  const queued = new Set<Envelope>();
  // Envelopes (by their items, which do not change between tries) already sent by beacon or kept
  // at page hide: when the queue reaches them, they are not sent again.
  const handedOff = new Set<string>();
  let inFlight: string | undefined;
  let failed: string | undefined;
  let kept: string | undefined;

  const makeRequest: RequestExecutor = ({ body }) => {
    const key = itemsOf(body);
    if (handedOff.delete(key)) return Promise.resolve({ statusCode: 200 });
    failed = kept = undefined;
    inFlight = key;
    return fetchRequest({ body }).then(
      (response) => {
        inFlight = undefined;
        return response;
      },
      (error: unknown) => {
        inFlight = undefined;
        failed = body as string;
        throw error;
      },
    );
  };

  const transport = createTransport(
    {
      ...options,
      // Core gives up on an envelope after its last network failure by counting its items as
      // `network_error`; requests go one at a time, so the body that failed last is that envelope.
      recordDroppedEvent(reason, category, quantity) {
        if (reason !== 'network_error' || !keep || !failed) return options.recordDroppedEvent(reason, category, quantity);
        if (kept !== failed) keep((kept = failed));
      },
    },
    makeRequest,
  );

  function send(envelope: Envelope): PromiseLike<void> {
    queued.add(envelope);
    return transport.send(envelope).then(() => void queued.delete(envelope));
  }

  function handOff(): void {
    for (const envelope of queued) {
      const body = serializeEnvelope(envelope) as string;
      const key = itemsOf(body);
      if (key === inFlight || handedOff.has(key)) continue;
      if (guard(() => win.navigator.sendBeacon(options.url, body))) handedOff.add(key);
      else if (keep) {
        handedOff.add(key);
        keep(body);
      }
    }
  }

  guard(() => {
    win.addEventListener('pagehide', handOff);
    win.document?.addEventListener('visibilitychange', () => win.document.visibilityState === 'hidden' && handOff());
  });

  return { send, flush: (timeoutMs) => transport.flush(timeoutMs) };
}

/** The part of a serialized envelope after its header line (which holds `sent_at`, new each try). */
function itemsOf(body: string | Uint8Array): string {
  return String(body).slice(String(body).indexOf('\n'));
}

function guard<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
