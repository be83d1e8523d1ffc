import Koa2 from 'koa2';
import Koa3 from 'koa3';
import Router from '@koa/router';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addBreadcrumb, close, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, listen, startReceiver, type Receiver } from '@faultline/testkit';
import { middleware } from '@faultline/koa';
import { CONCURRENT, describeShopApps, type ShopAppCase } from '../../../../../test/support/shop-app-suite';

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

const supportCodes = new Map<typeof Koa3, ShopApp['supportCodes']>();
const koaCase = (name: string, Koa: typeof Koa3): ShopAppCase => ({
  name,
  async start() {
    const shop = createApp(Koa);
    supportCodes.set(Koa, shop.supportCodes);
    return listen(shop.app.callback());
  },
  // Koa answers errors itself; the app sees them in its `error` listener.
  supportCode: async (path) => supportCodes.get(Koa)?.get(path),
});

describeShopApps(() => receiver, 'koa', [koaCase('Koa 2', Koa2 as typeof Koa3), koaCase('Koa 3', Koa3)], ({ get }, shop) => {
  it("gives the app's error listener no support code for an error it did not report", async () => {
    expect((await get('/forbidden')).status).toBe(403);
    expect(await shop.supportCode('/forbidden', new Response())).toBeUndefined();
  });
});
