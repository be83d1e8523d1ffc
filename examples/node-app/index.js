// A tiny "shop" that reports its errors with @faultline/node. Point it at any Sentry-compatible server:
//   FAULTLINE_DSN=https://<key>@<host>/<project> node index.js
// Without FAULTLINE_DSN it reports to the local inbox (`npx faultline-inbox`, port 8969).
const { fork } = require('node:child_process');
const path = require('node:path');
const Faultline = require('@faultline/node');

Faultline.init({
  dsn: process.env.FAULTLINE_DSN || 'http://public@127.0.0.1:8969/1',
  release: 'shop@1.4.0',
  environment: 'demo',
});

class PaymentError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'PaymentError';
  }
}

function chargeCard(order) {
  if (order.total > 500) {
    throw new PaymentError(`Card declined for order ${order.id}`, { cause: new Error('Gateway answered 402') });
  }
  return { id: order.id, charged: order.total };
}

function parseCoupon(code) {
  return JSON.parse(code); // coupons are supposed to be JSON; this one is not
}

const customers = [
  { id: 'u-1', email: 'ada@example.com' },
  { id: 'u-2', email: 'grace@example.com' },
  { id: 'u-3', email: 'linus@example.com' },
];

customers.forEach((customer, i) => {
  Faultline.withIsolationScope(() => {
    Faultline.setUser(customer);
    Faultline.setTag('checkout_step', 'payment');
    Faultline.addBreadcrumb({ category: 'cart', message: `cart has ${i + 2} items` });
    try {
      chargeCard({ id: `o-${100 + i}`, total: 600 + i });
    } catch (error) {
      const id = Faultline.captureException(error);
      console.log(`payment failed for ${customer.email}; support code ${id}`);
    }
  });
});

try {
  parseCoupon('SUMMER-SALE');
} catch (error) {
  Faultline.captureException(error, { tags: { feature: 'coupons' } });
}

Faultline.captureMessage('Inventory for SKU 1234 is below 5 units', 'warning');

// Finally a worker process that crashes with an uncaught exception: it reports the crash itself before
// it exits with code 1, as Node would.
const worker = fork(path.join(__dirname, 'worker.js'), { stdio: 'inherit' });
worker.on('exit', (code) => {
  console.log(`worker exited with code ${code}`);
});
