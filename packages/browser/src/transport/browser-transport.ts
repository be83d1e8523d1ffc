import { createBaseTransport, guard, retryWithBackoff, type RequestExecutor, type RetryFactory, type Transport, type TransportOptions, type TransportResponse } from '@faultline/core';
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
 * The npm package's transport: `makeBeaconTransport` with retries (backoff) for network failures and
 * 5xx, and what the network lost kept in IndexedDB and sent when the page is online again or on the
 * next load (unless `offline: false`).
 */
export function makeBrowserTransport(options: BrowserTransportOptions, win: typeof globalThis = globalThis): Transport {
  const { offline } = options;
  const store = offline === false ? undefined : createOfflineStore(typeof offline === 'object' ? offline : {}, guard(() => win.indexedDB));
  if (!store) return makeBeaconTransport(options, win, retryWithBackoff);
  const storage = guard(() => win.localStorage);
  const keep = (body: string): void => {
    guard(() => storage?.setItem(STORED_FLAG, '1'));
    void store.push(body);
  };
  const fetchRequest = makeFetchRequest(options.url, win);
  let failed: string | undefined;
  let kept: string | undefined;
  const request: RequestExecutor = ({ body }) => {
    failed = kept = undefined;
    return Promise.resolve(fetchRequest({ body })).then(undefined, (error: unknown) => {
      failed = body as string;
      throw error;
    });
  };
  const transport = makeBeaconTransport(
    {
      ...options,
      // Core gives up on an envelope after its last network failure by counting its items as
      // `network_error`; requests go one at a time, so the body that failed last is that envelope.
      recordDroppedEvent(reason, category, quantity) {
        if (reason !== 'network_error' || !failed) return options.recordDroppedEvent(reason, category, quantity);
        if (kept !== failed) keep((kept = failed));
      },
    },
    win,
    retryWithBackoff,
    request,
    keep,
  );
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
 * Core's base transport (queue, rate limits, client reports; retries as `retry` says, none without
 * it) over `request` (default: `fetch` with `keepalive`).
 * When the page is hidden or unloaded, the envelopes pending then go out with
 * `navigator.sendBeacon`, one after the other at once: the request in flight, a keepalive fetch
 * that survives the page on its own, is handed off (the queue moves on without its answer, which
 * `flush` still waits for). One waiting for a retry goes by beacon when its wait is over. `keep`,
 * when given, takes what the beacon could not take, instead of it going by `request`. The CDN
 * bundle's transport, without `retry` and `keep`: each envelope is tried once, and one the network
 * lost is counted as `network_error`.
 */
export function makeBeaconTransport(
  options: TransportOptions,
  win: typeof globalThis = globalThis,
  retry?: RetryFactory,
  request: RequestExecutor = makeFetchRequest(options.url, win),
  keep?: (body: string) => void,
): Transport {
  /** Envelopes queued or in flight. */
  let pending = 0;
  /** Requests still to go by beacon: those of the envelopes pending when the page was hidden. */
  let beacons = 0;
  /** The request in flight, and how to settle it for the queue. */
  let inFlight: { request: Promise<unknown>; settle(response: TransportResponse): void } | undefined;
  /** Requests handed off at page hide, still going. */
  let handedOff: Promise<unknown> = Promise.resolve();

  const makeRequest: RequestExecutor = ({ body }) => {
    if (beacons > 0) {
      beacons--;
      if (guard(() => win.navigator.sendBeacon(options.url, body as string))) return Promise.resolve({ statusCode: 200 });
      if (keep) {
        keep(body as string);
        return Promise.resolve({ statusCode: 200 });
      }
    }
    const sent = Promise.resolve(request({ body }));
    return new Promise<TransportResponse>((settle, reject) => {
      inFlight = { request: sent.catch(() => undefined), settle };
      sent.then(settle, reject);
    }).finally(() => (inFlight = undefined));
  };

  const transport = createBaseTransport(options, makeRequest, undefined, retry);

  const handOff = (): void => {
    beacons = pending;
    if (inFlight) {
      beacons--;
      handedOff = Promise.all([handedOff, inFlight.request]);
      inFlight.settle({ statusCode: 200 });
    }
  };
  guard(() => {
    win.addEventListener('pagehide', handOff);
    // Visible again, requests go by fetch again, whose answers carry rate limits.
    win.document?.addEventListener('visibilitychange', () => (win.document.visibilityState === 'hidden' ? handOff() : (beacons = 0)));
  });

  return {
    send(envelope) {
      pending++;
      return transport.send(envelope).then(() => void pending--);
    },
    flush(timeoutMs) {
      const deadline = Date.now() + timeoutMs!;
      return transport.flush(timeoutMs).then(
        (done) =>
          done &&
          Promise.race([
            handedOff.then(() => true),
            new Promise<boolean>((resolve) => timeoutMs! > 0 && setTimeout(resolve, deadline - Date.now(), false)),
          ]),
      );
    },
  };
}
