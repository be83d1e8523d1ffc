// A small Koa shop API that reports its errors with @faultline/koa.
//   npm start                      serves on PORT (default 3001)
//   node index.js --self-test      serves on a free port, calls itself once for a page that works, one
//                                  that throws and one that does not exist, prints what it got, flushes
//                                  and exits.
// Events go to FAULTLINE_DSN, else to the local inbox (`npx faultline-inbox`, port 8969).
const Faultline = require('@faultline/node');
const { middleware } = require('@faultline/koa');
const Router = require('@koa/router');
const Koa = require('koa');

Faultline.init({
  dsn: process.env.FAULTLINE_DSN || 'http://public@127.0.0.1:8969/1',
  release: 'shop-api@2.1.0',
  environment: 'demo',
});

const orders = new Map([['1001', { id: '1001', customer: 'u-7', items: [{ sku: 'mug', price: 12 }], coupon: undefined }]]);

const app = new Koa();
const router = new Router();
app.use(middleware()); // first: each request gets its own scope, and errors thrown below are reported

router.get('/health', (ctx) => {
  ctx.body = { ok: true };
});

router.get('/orders/:id/total', (ctx) => {
  const order = orders.get(ctx.params.id);
  if (!order) ctx.throw(404, `No order ${ctx.params.id}`); // 4xx: not reported
  Faultline.setUser({ id: order.customer });
  Faultline.setTag('order_id', order.id);
  Faultline.addBreadcrumb({ category: 'orders', message: `pricing ${order.items.length} items` });
  const subtotal = order.items.reduce((sum, item) => sum + item.price, 0);
  const discount = subtotal * order.coupon.percent; // bug: orders without a coupon
  ctx.body = { total: subtotal - discount };
});

app.use(router.routes()).use(router.allowedMethods());

// Koa's central error handler; it runs in the request's scope, so the support code is this request's.
app.on('error', (error, ctx) => {
  if (ctx && (error.status || 500) >= 500) console.log(`[koa-app] ${ctx.method} ${ctx.path} failed; support code ${Faultline.lastEventId()}`);
});

async function selfTest() {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const path of ['/health', '/orders/1001/total', '/orders/999/total']) {
    const response = await fetch(base + path);
    console.log(`[koa-app] GET ${path} -> ${response.status} ${await response.text()}`);
  }
  server.close();
  const flushed = await Faultline.flush(5000);
  console.log(`[koa-app] events ${flushed ? 'delivered' : 'NOT delivered'} to ${process.env.FAULTLINE_DSN || 'the local inbox'}`);
  process.exitCode = flushed ? 0 : 1;
}

if (process.argv.includes('--self-test') || process.env.DEMO === '1') {
  selfTest().catch((error) => {
    console.error('[koa-app] self-test failed:', error);
    process.exitCode = 1;
  });
} else {
  const port = Number(process.env.PORT) || 3001;
  app.listen(port, () => console.log(`[koa-app] listening on http://localhost:${port}; try /orders/1001/total`));
}
