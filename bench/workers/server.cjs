// Child process of the framework measure: one express, koa or fastify app with one SDK's middleware
// (or none), serving a small JSON route on 127.0.0.1 until the parent kills it.
// argv: <sdk> <framework> <receiver port>
'use strict';

const { SDKS } = require('../lib/sdks.cjs');

const [sdkName, framework, port] = process.argv.slice(2);
const sdk = SDKS[sdkName];

const order = (id) => ({ id, customer: 'u-7', items: [{ sku: 'mug', price: 12 }], total: 12 });

function express() {
  const app = require('express')();
  sdk.express.before(app);
  app.get('/orders/:id', (req, res) => res.json(order(req.params.id)));
  sdk.express.after(app);
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function koa() {
  const Koa = require('koa');
  const app = new Koa();
  sdk.koa(app);
  app.use((ctx) => {
    const match = /^\/orders\/([^/]+)$/.exec(ctx.path);
    if (!match) ctx.throw(404);
    ctx.body = order(match[1]);
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function fastify() {
  const app = require('fastify')();
  await sdk.fastify(app);
  app.get('/orders/:id', async (request) => order(request.params.id));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

async function main() {
  if (!sdk[framework]) return process.send({ type: 'failed', message: 'n/a (no integration)' });
  try {
    // The middleware packages are others' work in progress: a missing build is reported, not fatal.
    if (sdkName === 'faultline') require.resolve(`@faultline/${framework}`) && require(`@faultline/${framework}`);
  } catch {
    return process.send({ type: 'failed', message: 'n/a (not built)' });
  }
  sdk.init({ port: Number(port), framework });
  const serverPort = await { express, koa, fastify }[framework]();
  process.send({ type: 'ready', port: serverPort });
}

main().catch((error) => process.send({ type: 'failed', message: String(error?.stack ?? error) }));

// A graceful stop (lets `--cpu-prof` write its profile); the bench itself just kills the process.
process.on('message', (message) => {
  if (message?.type === 'stop') process.exit(0);
});
