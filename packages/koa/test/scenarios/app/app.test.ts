import Koa2 from 'koa2';
import Koa3 from 'koa3';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBreadcrumb, close, flush, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, listen, SECRET_HEADERS, SECRET_QUERY, SECRET_VALUES, startReceiver, type Receiver, type RunningServer, type SentryEvent } from '@faultline/testkit';
import { middleware } from '@faultline/koa';

const CONCURRENT = 20;

interface ShopApp {
  app: Koa3;
  /** What `lastEventId()` returned in the app's `error` listener, by request path. */
  supportCodes: Map<string, string | undefined>;
}

/** A small shop app wired as the README says: middleware() first, the app's error listener as usual. */
function createApp(Koa: typeof Koa3): ShopApp {
  const app = new Koa();
  const router = new Router();
  const allArrived = barrier(CONCURRENT);
  const supportCodes = new Map<string, string | undefined>();

  app.use(middleware());
  router.get('/ok', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/orders/:id', (ctx) => {
    throw new Error(`order ${ctx.params.id} failed`);
  });
  router.get('/async/:id', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new TypeError(`async ${ctx.params.id} failed`);
  });
  router.get('/forbidden', (ctx) => ctx.throw(403, 'not yours'));
  router.get('/work/:n', async (ctx) => {
    const n = String(ctx.params.n);
    setTag('n', n);
    setUser({ id: `user-${n}` });
    addBreadcrumb({ message: `crumb-${n}` });
    await allArrived();
    throw new Error(`work ${n} failed`);
  });
  const items = new Router({ prefix: '/items' });
  items.get('/:sku', () => {
    throw new Error('item failed');
  });
  app.use(router.routes()).use(items.routes());
  app.on('error', (_error, ctx: Koa3.Context) => {
    supportCodes.set(ctx.path, lastEventId());
  });
  return { app, supportCodes };
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  init({ dsn: receiver.dsn(), release: 'shop@1.0.0' });
});
afterAll(async () => {
  await close(5000);
  await receiver.close();
});

describe.each([
  ['Koa 2', Koa2 as typeof Koa3],
  ['Koa 3', Koa3],
])('%s', (_name, Koa) => {
  let server: RunningServer;
  let supportCodes: ShopApp['supportCodes'];
  beforeAll(async () => {
    const shop = createApp(Koa);
    supportCodes = shop.supportCodes;
    server = await listen(shop.app.callback());
  });
  afterAll(() => server.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const eventsFor = (path: string): SentryEvent[] => receiver.events().filter((e) => e.request?.url === `${server.url}${path}`);
  const waitForEvent = async (path: string): Promise<SentryEvent> => {
    await receiver.waitFor(() => eventsFor(path).length > 0);
    return eventsFor(path)[0]!;
  };

  it('leaves successful responses untouched and reports nothing for them', async () => {
    const response = await get('/ok');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(await flush(5000)).toBe(true);
    expect(eventsFor('/ok')).toEqual([]);
  });

  it('answers a route error with 500 and reports one event with request data and the route', async () => {
    const response = await get(`/orders/42?page=2&${SECRET_QUERY}`, { ...SECRET_HEADERS, 'x-shop': 'front' });
    expect(response.status).toBe(500);
    const event = await waitForEvent('/orders/42');
    expect(event.exception?.values?.at(-1)).toMatchObject({
      type: 'Error',
      value: 'order 42 failed',
      mechanism: { type: 'koa', handled: false },
    });
    expect(event.transaction).toBe('GET /orders/:id');
    expect(event.request).toMatchObject({ method: 'GET', query_string: 'page=2', headers: { 'x-shop': 'front' } });
    expect(event.request?.env).toBeUndefined();
    expect(await flush(5000)).toBe(true);
    expect(eventsFor('/orders/42')).toHaveLength(1);
  });

  it("gives the app's error listener the event id as support code", async () => {
    await get('/orders/7');
    const event = await waitForEvent('/orders/7');
    expect(supportCodes.get('/orders/7')).toMatch(/^[0-9a-f]{32}$/);
    expect(supportCodes.get('/orders/7')).toBe(event.event_id);
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
    expect(supportCodes.get('/forbidden')).toBeUndefined();
  });

  it('names the transaction after the route of a prefixed router', async () => {
    await get('/items/abc');
    expect((await waitForEvent('/items/abc')).transaction).toBe('GET /items/:sku');
  });

  it(`keeps tags, user and breadcrumbs of ${CONCURRENT} concurrent requests apart`, async () => {
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_, n) => get(`/work/${n}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(500));
    await receiver.waitFor(() => receiver.events().filter((e) => e.request?.url?.startsWith(`${server.url}/work/`)).length === CONCURRENT);
    for (let n = 0; n < CONCURRENT; n++) {
      const [event, ...others] = eventsFor(`/work/${n}`);
      expect(others).toEqual([]);
      expect(event?.exception?.values?.at(-1)?.value).toBe(`work ${n} failed`);
      expect(event?.tags?.n).toBe(String(n));
      expect(event?.user?.id).toBe(`user-${n}`);
      const crumbs = (event?.breadcrumbs?.values ?? []).map((b) => b.message).filter((m) => m?.startsWith('crumb-'));
      expect(crumbs).toEqual([`crumb-${n}`]);
      expect(supportCodes.get(`/work/${n}`)).toBe(event?.event_id);
    }
  });
});

describe('every payload', () => {
  it('is valid, and carries no cookie, authorization, API key, client IP or secret query parameter', async () => {
    expect(await flush(5000)).toBe(true);
    expect(receiver.events().length).toBeGreaterThan(0);
    const raw = receiver.envelopes().map((e) => e.raw).join('\n');
    for (const secret of SECRET_VALUES) expect(raw).not.toContain(secret);
    for (const event of receiver.events()) {
      expect(event.request?.headers?.cookie).toBeUndefined();
      expect(event.request?.env).toBeUndefined();
    }
    expect(receiver.violations()).toEqual([]);
  });
});
