import {
  createTransport,
  parseEnvelope,
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
 * Core's transport (queue, rate limits, retries, client reports) over `fetch` with `keepalive`.
 * When the page is hidden or unloaded, what is still queued goes out with `navigator.sendBeacon`
 * (the request in flight is a keepalive fetch and survives on its own); what the network lost is
 * kept in IndexedDB and sent when the page is online again or on the next load.
 */
export function makeBrowserTransport(options: BrowserTransportOptions, win: typeof globalThis = globalThis): Transport {
  const store = options.offline === false ? undefined : createOfflineStore(typeof options.offline === 'object' ? options.offline : {}, guard(() => win.indexedDB));
  const fetchRequest = makeFetchRequest(options.url, win);
  const queued = new Set<Envelope>();
  // Envelopes (by their items, which do not change between tries) already sent by beacon or stored
  // at page hide: when the queue reaches them, they are not sent again.
  const handedOff = new Set<string>();
  let inFlight: string | undefined;
  let failed: string | Uint8Array | undefined;
  let stored: string | Uint8Array | undefined;

  const makeRequest: RequestExecutor = ({ body }) => {
    const key = itemsOf(body);
    if (key !== undefined && handedOff.delete(key)) return Promise.resolve({ statusCode: 200 });
    failed = stored = undefined;
    inFlight = key;
    return fetchRequest({ body }).then(
      (response) => {
        inFlight = undefined;
        return response;
      },
      (error: unknown) => {
        inFlight = undefined;
        failed = body;
        throw error;
      },
    );
  };

  const transport = createTransport(
    {
      ...options,
      // Core gives up on an envelope after its last network failure by counting its items as
      // `network_error`; requests go one at a time, so the body that failed last is that envelope.
      // It is stored instead of counted.
      recordDroppedEvent(reason, category, quantity) {
        if (reason === 'network_error' && store && failed !== undefined) {
          if (stored !== failed) {
            stored = failed;
            keep(failed);
          }
          return;
        }
        options.recordDroppedEvent(reason, category, quantity);
      },
    },
    makeRequest,
  );

  function keep(body: string | Uint8Array): void {
    guard(() => win.localStorage?.setItem(STORED_FLAG, '1'));
    void store?.push(body);
  }

  function send(envelope: Envelope): PromiseLike<void> {
    queued.add(envelope);
    return transport.send(envelope).then(() => {
      queued.delete(envelope);
    });
  }

  function handOff(): void {
    for (const envelope of queued) {
      const body = serializeEnvelope(envelope);
      const key = itemsOf(body);
      if (key === undefined || key === inFlight || handedOff.has(key)) continue;
      if (guard(() => win.navigator.sendBeacon(options.url, body as BodyInit))) handedOff.add(key);
      else if (store) {
        handedOff.add(key);
        keep(body);
      }
    }
  }

  function drain(): void {
    // Without localStorage (blocked, sandboxed) the store is looked at every time.
    if (!store || !guard(() => (win.localStorage ? win.localStorage.getItem(STORED_FLAG) : '1'))) return;
    guard(() => win.localStorage?.removeItem(STORED_FLAG));
    void store.takeAll().then((bodies) => {
      for (const body of bodies) {
        const envelope = guard(() => parseEnvelope(body));
        if (envelope) void send(envelope);
      }
    });
  }

  guard(() => {
    win.addEventListener('pagehide', handOff);
    win.document?.addEventListener('visibilitychange', () => win.document.visibilityState === 'hidden' && handOff());
    win.addEventListener('online', drain);
    setTimeout(drain, DRAIN_DELAY_MS);
  });

  return { send, flush: (timeoutMs) => transport.flush(timeoutMs) };
}

/** The part of a serialized envelope after its header line (which holds `sent_at`, new each try). */
function itemsOf(body: string | Uint8Array): string | undefined {
  return typeof body === 'string' ? body.slice(body.indexOf('\n')) : undefined;
}

function guard<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
