// What every framework integration must do, asserted on what the client and the receiver see, for a
// small shop app each framework's test builds as its README says. The app has these routes:
//   GET /ok              answers { ok: true }
//   GET /orders/:id      throws Error(`order ${id} failed`)
//   GET /async/:id       throws TypeError(`async ${id} failed`) after a timer
//   GET /forbidden       throws an error with status 403
//   GET /items/:sku      a route of a mounted router (or prefixed plugin), throws
//   /work, n             (see `work`) sets tag n, user `user-${n}`, breadcrumb `crumb-${n}`, waits for
//                        all CONCURRENT requests to arrive, then throws Error(`work ${n} failed`)
// and the app's own error handling answers errors with their status (500 by default).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flush } from '@faultline/node';
import { SECRET_HEADERS, SECRET_QUERY, SECRET_VALUES, type Receiver, type SentryEvent } from '@faultline/testkit';

export const CONCURRENT = 20;

export interface ShopAppCase {
  /** e.g. `Express 5` */
  name: string;
  /** Starts the app on 127.0.0.1. */
  start(): Promise<{ url: string; close(): unknown }>;
  /** The support code the app gave for a failed request: from its answer, or from its error listener. */
  supportCode(path: string, response: Response): Promise<string | undefined>;
  /** Sends the n-th of the concurrent requests (default `GET /work/${n}`, transaction `GET /work/:n`). */
  work?: { send(url: string, n: number): Promise<Response>; transaction: string };
}

export interface ShopApp {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  eventsFor(path: string): SentryEvent[];
  waitForEvent(path: string): Promise<SentryEvent>;
}

/**
 * One `describe` per case with the shared behaviour; `more` adds a framework's own tests in it. Ends
 * with a check of every payload the receiver got.
 */
export function describeShopApps(
  receiver: () => Receiver,
  mechanism: string,
  cases: ShopAppCase[],
  more: (app: ShopApp, shop: ShopAppCase) => void = () => {},
): void {
  describe.each(cases.map((shop) => [shop.name, shop] as const))('%s', (_name, shop) => {
    let server: { url: string; close(): unknown };
    beforeAll(async () => {
      server = await shop.start();
    });
    afterAll(() => server.close());

    const app: ShopApp = {
      get: (path, headers = {}) => fetch(`${server.url}${path}`, { headers }),
      eventsFor: (path) => receiver().events().filter((e) => e.request?.url === `${server.url}${path}`),
      async waitForEvent(path) {
        await receiver().waitFor(() => app.eventsFor(path).length > 0);
        return app.eventsFor(path)[0]!;
      },
    };
    const { get, eventsFor, waitForEvent } = app;

    it('leaves successful responses untouched and reports nothing for them', async () => {
      const response = await get('/ok');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
      expect(response.headers.get('x-faultline-event-id')).toBeNull();
      expect(await flush(5000)).toBe(true);
      expect(eventsFor('/ok')).toEqual([]);
    });

    it('answers a route error with 500 and reports one event with request data and the route', async () => {
      const response = await get(`/orders/42?page=2&${SECRET_QUERY}`, { ...SECRET_HEADERS, 'x-shop': 'front' });
      expect(response.status).toBe(500);
      const event = await waitForEvent('/orders/42');
      expect(event.exception?.values?.at(-1)).toMatchObject({ type: 'Error', value: 'order 42 failed', mechanism: { type: mechanism, handled: false } });
      expect(event.transaction).toBe('GET /orders/:id');
      expect(event.request).toMatchObject({ method: 'GET', query_string: 'page=2', headers: { 'x-shop': 'front' } });
      expect(event.request?.env).toBeUndefined();
      expect(await flush(5000)).toBe(true);
      expect(eventsFor('/orders/42')).toHaveLength(1);
    });

    it("gives the app's error handling the event id as support code", async () => {
      const response = await get('/orders/7');
      const event = await waitForEvent('/orders/7');
      const supportCode = await shop.supportCode('/orders/7', response);
      expect(supportCode).toMatch(/^[0-9a-f]{32}$/);
      expect(supportCode).toBe(event.event_id);
    });

    it('reports errors from async route handlers', async () => {
      expect((await get('/async/9')).status).toBe(500);
      const event = await waitForEvent('/async/9');
      expect(event.exception?.values?.at(-1)).toMatchObject({ type: 'TypeError', value: 'async 9 failed' });
      expect(event.transaction).toBe('GET /async/:id');
    });

    it('does not report errors with a 4xx status, nor unknown routes', async () => {
      expect((await get('/forbidden')).status).toBe(403);
      expect((await get('/no-such-page')).status).toBe(404);
      expect(await flush(5000)).toBe(true);
      expect(eventsFor('/forbidden')).toEqual([]);
      expect(eventsFor('/no-such-page')).toEqual([]);
    });

    it('names the transaction after the route of a mounted router, with its prefix', async () => {
      expect((await get('/items/abc')).status).toBe(500);
      expect((await waitForEvent('/items/abc')).transaction).toBe('GET /items/:sku');
    });

    it(`keeps tags, user and breadcrumbs of ${CONCURRENT} concurrent requests apart`, async () => {
      const work = shop.work ?? { send: (url: string, n: number) => fetch(`${url}/work/${n}`), transaction: 'GET /work/:n' };
      const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_, n) => work.send(server.url, n)));
      expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(500));
      const worked = (): SentryEvent[] => receiver().events().filter((e) => e.request?.url?.startsWith(`${server.url}/work`));
      await receiver().waitFor(() => worked().length === CONCURRENT);
      for (let n = 0; n < CONCURRENT; n++) {
        const [event, ...others] = worked().filter((e) => e.exception?.values?.at(-1)?.value === `work ${n} failed`);
        expect(others).toEqual([]);
        expect(event?.transaction).toBe(work.transaction);
        expect(event?.tags?.n).toBe(String(n));
        expect(event?.user?.id).toBe(`user-${n}`);
        const crumbs = (event?.breadcrumbs?.values ?? []).map((b) => b.message).filter((m) => m?.startsWith('crumb-'));
        expect(crumbs).toEqual([`crumb-${n}`]);
        expect(await shop.supportCode(new URL(event!.request!.url!).pathname, responses[n]!)).toBe(event?.event_id);
      }
    });

    more(app, shop);
  });

  describe('every payload', () => {
    it('is valid, and carries no cookie, authorization, API key, client IP or secret query parameter', async () => {
      expect(await flush(5000)).toBe(true);
      expect(receiver().events().length).toBeGreaterThan(0);
      const raw = receiver().envelopes().map((e) => e.raw).join('\n');
      for (const secret of SECRET_VALUES) expect(raw).not.toContain(secret);
      for (const event of receiver().events()) {
        expect(event.request?.headers?.cookie).toBeUndefined();
        expect(event.request?.env).toBeUndefined();
      }
      expect(receiver().violations()).toEqual([]);
    });
  });
}
