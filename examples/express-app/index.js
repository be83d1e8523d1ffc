// A small Express shop API that reports its errors with @faultline/express.
//   npm start                      serves on PORT (default 3000)
//   node index.js --self-test      (or DEMO=1) serves on a free port, calls itself once for a page that
//                                  works, one that throws and one that does not exist, prints what it
//                                  got, flushes and exits: the demo runs it like this.
// Events go to FAULTLINE_DSN, else to the local inbox (`npx faultline-inbox`, port 8969).
const Faultline = require('@faultline/node');
const { errorHandler, requestHandler } = require('@faultline/express');
const express = require('express');

Faultline.init({
  dsn: process.env.FAULTLINE_DSN || 'http://public@127.0.0.1:8969/1',
  release: 'shop-api@2.1.0',
  environment: 'demo',
});

const orders = new Map([
  ['1001', { id: '1001', customer: 'u-7', items: [{ sku: 'mug', price: 12 }], coupon: undefined }],
]);

const app = express();
app.use(requestHandler()); // first: each request gets its own scope

app.get('/health', (_req, res) => {
  res.json({ ok: true });
});

app.get('/orders/:id/total', (req, res) => {
  const order = orders.get(req.params.id);
  if (!order) throw Object.assign(new Error(`No order ${req.params.id}`), { status: 404 }); // 4xx: not reported
  Faultline.setUser({ id: order.customer });
  Faultline.setTag('order_id', order.id);
  Faultline.addBreadcrumb({ category: 'orders', message: `pricing ${order.items.length} items` });
  const subtotal = order.items.reduce((sum, item) => sum + item.price, 0);
  const discount = subtotal * order.coupon.percent; // bug: orders without a coupon
  res.json({ total: subtotal - discount });
});

app.use(errorHandler()); // after the routes, before the app's own error handler

app.use((error, _req, res, _next) => {
  const status = error.status || 500;
  // The support code lets support staff find the event the user mails them about.
  res.status(status).json(status >= 500 ? { error: 'Something went wrong', supportCode: Faultline.lastEventId() } : { error: error.message });
});

async function selfTest() {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const path of ['/health', '/orders/1001/total', '/orders/999/total']) {
    const response = await fetch(base + path);
    const eventId = response.headers.get('x-faultline-event-id');
    console.log(`[express-app] GET ${path} -> ${response.status} ${await response.text()}${eventId ? ` (X-Faultline-Event-Id: ${eventId})` : ''}`);
  }
  server.close();
  const flushed = await Faultline.flush(5000);
  console.log(`[express-app] events ${flushed ? 'delivered' : 'NOT delivered'} to ${process.env.FAULTLINE_DSN || 'the local inbox'}`);
  process.exitCode = flushed ? 0 : 1;
}

if (process.argv.includes('--self-test') || process.env.DEMO === '1') {
  selfTest().catch((error) => {
    console.error('[express-app] self-test failed:', error);
    process.exitCode = 1;
  });
} else {
  const port = Number(process.env.PORT) || 3000;
  app.listen(port, () => console.log(`[express-app] listening on http://localhost:${port}; try /orders/1001/total`));
}
