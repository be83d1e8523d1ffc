import express4 from 'express4';
import express5 from 'express5';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBreadcrumb, close, flush, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, listen, SECRET_HEADERS, SECRET_QUERY, SECRET_VALUES, startReceiver, type Receiver, type RunningServer, type SentryEvent } from '@faultline/testkit';
import { errorHandler, requestHandler } from '@faultline/express';

const CONCURRENT = 20;

/** A small shop app wired as the README says: requestHandler first, errorHandler before the app's own. */
function createApp(express: typeof express5, major: number): Express {
  const app = express();
  const allArrived = barrier(CONCURRENT);
  // Express 4 does not catch rejected promises from handlers; apps forward them to `next`.
  const route = (handler: RequestHandler): RequestHandler =>
    major === 4 ? (req, res, next) => Promise.resolve(handler(req, res, next)).catch(next) : handler;

  app.use(requestHandler());
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/orders/:id', (req) => {
    throw new Error(`order ${req.params.id} failed`);
  });
  app.get(
    '/async/:id',
    route(async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new TypeError(`async ${req.params.id} failed`);
    }),
  );
  app.get('/forbidden', () => {
    throw Object.assign(new Error('not yours'), { status: 403 });
  });
  app.get(
    '/work/:n',
    route(async (req) => {
      const n = String(req.params.n);
      setTag('n', n);
      setUser({ id: `user-${n}` });
      addBreadcrumb({ message: `crumb-${n}` });
      await allArrived();
      throw new Error(`work ${n} failed`);
    }),
  );
  const nested = express.Router();
  nested.get('/:sku', () => {
    throw new Error('item failed');
  });
  app.use('/items', nested);
  const shop = express();
  shop.get('/carts/:cart', (req) => {
    throw new Error(`cart ${req.params.cart} failed at ${req.route?.path}`);
  });
  app.use('/shop', shop);
  app.use(errorHandler());
  const appErrorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status((error as { status?: number }).status ?? 500).json({ message: 'Something went wrong', supportCode: lastEventId() ?? null });
  };
  app.use(appErrorHandler);
  return app;
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
  ['Express 4', express4 as typeof express5, 4],
  ['Express 5', express5, 5],
])('%s', (_name, express, major) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(createApp(express, major));
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
    expect(response.headers.get('x-faultline-event-id')).toBeNull();
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
      mechanism: { type: 'express', handled: false },
    });
    expect(event.transaction).toBe('GET /orders/:id');
    expect(event.request).toMatchObject({ method: 'GET', query_string: 'page=2', headers: { 'x-shop': 'front' } });
    expect(event.request?.env).toBeUndefined();
    expect(await flush(5000)).toBe(true);
    expect(eventsFor('/orders/42')).toHaveLength(1);
  });

  it('gives the app error handler the event id as support code, and the X-Faultline-Event-Id header', async () => {
    const response = await get('/orders/7');
    const { supportCode } = (await response.json()) as { supportCode: string };
    const event = await waitForEvent('/orders/7');
    expect(supportCode).toMatch(/^[0-9a-f]{32}$/);
    expect(supportCode).toBe(event.event_id);
    expect(response.headers.get('x-faultline-event-id')).toBe(event.event_id);
  });

  it('reports errors from async route handlers', async () => {
    const response = await get('/async/9');
    expect(response.status).toBe(500);
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

  it('names the transaction after the route of a mounted router', async () => {
    await get('/items/abc');
    const event = await waitForEvent('/items/abc');
    expect(event.transaction).toBe('GET /items/:sku');
  });

  it('names the transaction after the route of a mounted sub-app, which still reads req.route', async () => {
    await get('/shop/carts/c1');
    const event = await waitForEvent('/shop/carts/c1');
    expect(event.transaction).toBe('GET /shop/carts/:cart');
    expect(event.exception?.values?.at(-1)?.value).toBe('cart c1 failed at /carts/:cart');
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
