// A small Fastify shop API that reports its errors with @faultline/fastify.
//   npm start                      serves on PORT (default 3002)
//   node index.js --self-test      serves on a free port, calls itself once for a page that works, one
//                                  that throws and one that does not exist, prints what it got, flushes
//                                  and exits.
// Events go to FAULTLINE_DSN, else to the local inbox (`npx faultline-inbox`, port 8969).
const Faultline = require('@faultline/node');
const { plugin } = require('@faultline/fastify');
const fastify = require('fastify');

Faultline.init({
  dsn: process.env.FAULTLINE_DSN || 'http://public@127.0.0.1:8969/1',
  release: 'shop-api@2.1.0',
  environment: 'demo',
});

const orders = new Map([['1001', { id: '1001', customer: 'u-7', items: [{ sku: 'mug', price: 12 }], coupon: undefined }]]);

const app = fastify();
app.register(plugin); // first: applies to the whole app, each request in its own scope

// Set before the routes: Fastify routes keep the error handler in place when they are declared.
// Faultline reports the error just before this runs, so the support code is this request's.
app.setErrorHandler((error, _request, reply) => {
  const status = error.statusCode || 500;
  reply.status(status).send(status >= 500 ? { error: 'Something went wrong', supportCode: Faultline.lastEventId() } : { error: error.message });
});

app.get('/health', async () => ({ ok: true }));

app.get('/orders/:id/total', async (request) => {
  const order = orders.get(request.params.id);
  if (!order) throw Object.assign(new Error(`No order ${request.params.id}`), { statusCode: 404 }); // 4xx: not reported
  Faultline.setUser({ id: order.customer });
  Faultline.setTag('order_id', order.id);
  Faultline.addBreadcrumb({ category: 'orders', message: `pricing ${order.items.length} items` });
  const subtotal = order.items.reduce((sum, item) => sum + item.price, 0);
  const discount = subtotal * order.coupon.percent; // bug: orders without a coupon
  return { total: subtotal - discount };
});

async function selfTest() {
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const path of ['/health', '/orders/1001/total', '/orders/999/total']) {
    const response = await fetch(base + path);
    console.log(`[fastify-app] GET ${path} -> ${response.status} ${await response.text()}`);
  }
  await app.close();
  const flushed = await Faultline.flush(5000);
  console.log(`[fastify-app] events ${flushed ? 'delivered' : 'NOT delivered'} to ${process.env.FAULTLINE_DSN || 'the local inbox'}`);
  process.exitCode = flushed ? 0 : 1;
}

if (process.argv.includes('--self-test') || process.env.DEMO === '1') {
  selfTest().catch((error) => {
    console.error('[fastify-app] self-test failed:', error);
    process.exitCode = 1;
  });
} else {
  const port = Number(process.env.PORT) || 3002;
  app.listen({ port }).then((url) => console.log(`[fastify-app] listening on ${url}; try /orders/1001/total`));
}
