import express4 from 'express4';
import express5 from 'express5';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addBreadcrumb, close, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, listen, startReceiver, type Receiver } from '@faultline/testkit';
import { errorHandler, requestHandler } from '@faultline/express';
import { CONCURRENT, describeShopApps, type ShopAppCase } from '../../../../../test/support/shop-app-suite';

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

const expressCase = (name: string, express: typeof express5, major: number): ShopAppCase => ({
  name,
  start: () => listen(createApp(express, major)),
  supportCode: async (_path, response) => ((await response.json()) as { supportCode?: string }).supportCode,
});

describeShopApps(() => receiver, 'express', [expressCase('Express 4', express4 as typeof express5, 4), expressCase('Express 5', express5, 5)], ({ get, waitForEvent }) => {
  it('sets the X-Faultline-Event-Id header on the answer to a reported error', async () => {
    const response = await get('/orders/8');
    const event = await waitForEvent('/orders/8');
    expect(response.headers.get('x-faultline-event-id')).toBe(event.event_id);
  });

  it('names the transaction after the route of a mounted sub-app, which still reads req.route', async () => {
    await get('/shop/carts/c1');
    const event = await waitForEvent('/shop/carts/c1');
    expect(event.transaction).toBe('GET /shop/carts/:cart');
    expect(event.exception?.values?.at(-1)?.value).toBe('cart c1 failed at /carts/:cart');
  });
});
