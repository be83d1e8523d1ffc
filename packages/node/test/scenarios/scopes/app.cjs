// A small checkout flow: scope data, breadcrumbs and isolation as an app would use them.
const http = require('node:http');
const Faultline = require('@faultline/node');

Faultline.init({ release: 'shop@2.0.0' });
Faultline.setUser({ id: 'u-1', email: 'ada@example.com' });
Faultline.setTag('tier', 'gold');

function chargeCard(amount) {
  throw new Error(`card declined for ${amount}`); // the throw site
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

/** Lets the other task run: a few turns of the event loop, no timers. */
async function yieldTurns(count) {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function main() {
  const server = http.createServer((req, res) => res.end('in stock'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const inventory = `http://127.0.0.1:${server.address().port}/inventory/42`;

  console.log('starting checkout');
  await get(`${inventory}?token=secret`);
  server.close();

  Faultline.withScope((scope) => {
    scope.setTag('step', 'payment');
    try {
      chargeCard(99);
    } catch (error) {
      Faultline.captureException(error);
    }
  });
  Faultline.captureMessage('after the scope');

  await Promise.all(
    ['alice', 'bob'].map((name, index) =>
      Faultline.withIsolationScope(async () => {
        Faultline.setUser({ id: name });
        Faultline.setTag('request', name);
        Faultline.addBreadcrumb({ category: 'request', message: `start ${name}` });
        await yieldTurns(index === 0 ? 3 : 1);
        Faultline.captureMessage(`request of ${name}`);
      }),
    ),
  );
  console.log(JSON.stringify({ inventory }));
}

main();
