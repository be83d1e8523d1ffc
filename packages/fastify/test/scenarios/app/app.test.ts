import fastify4 from 'fastify4';
import fastify5, { type FastifyInstance } from 'fastify5';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addBreadcrumb, close, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, startReceiver, type Receiver } from '@faultline/testkit';
import { plugin } from '@faultline/fastify';
import { CONCURRENT, describeShopApps, type ShopAppCase } from '../../../../../test/support/shop-app-suite';

/** A small shop app wired as the README says: the plugin registered first, the app's own error handler. */
async function createApp(fastify: typeof fastify5): Promise<FastifyInstance> {
  const app = fastify();
  const allArrived = barrier(CONCURRENT);
  await app.register(plugin);
  // Routes keep the error handler set when they are declared.
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    void reply.status(error.statusCode ?? 500).send({ message: 'Something went wrong', supportCode: lastEventId() ?? null });
  });
  app.get('/ok', async () => ({ ok: true }));
  app.get<{ Params: { id: string } }>('/orders/:id', (request) => {
    throw new Error(`order ${request.params.id} failed`);
  });
  app.get<{ Params: { id: string } }>('/async/:id', async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new TypeError(`async ${request.params.id} failed`);
  });
  app.get('/forbidden', async () => {
    throw Object.assign(new Error('not yours'), { statusCode: 403 });
  });
  app.get('/hooked', { preHandler: async () => Promise.reject(new Error('hook failed')) }, async () => ({ unreachable: true }));
  // A JSON body is read from stream events, outside the request's async context.
  app.post<{ Body: { n: number } }>('/work', async (request) => {
    const n = String(request.body.n);
    setTag('n', n);
    setUser({ id: `user-${n}` });
    addBreadcrumb({ message: `crumb-${n}` });
    await allArrived();
    throw new Error(`work ${n} failed`);
  });
  // An encapsulated child context: the plugin must apply to it too.
  await app.register(
    async (child) => {
      child.get('/:sku', async () => {
        throw new Error('item failed');
      });
    },
    { prefix: '/items' },
  );
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

const fastifyCase = (name: string, fastify: typeof fastify5): ShopAppCase => ({
  name,
  async start() {
    const app = await createApp(fastify);
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
  },
  supportCode: async (_path, response) => ((await response.json()) as { supportCode?: string }).supportCode,
  // With bodies: a JSON body is read from stream events, outside the request's async context.
  work: {
    send: (url, n) => fetch(`${url}/work`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) }),
    transaction: 'POST /work',
  },
});

describeShopApps(() => receiver, 'fastify', [fastifyCase('Fastify 4', fastify4 as unknown as typeof fastify5), fastifyCase('Fastify 5', fastify5)], ({ get, waitForEvent }) => {
  it('reports errors from hooks', async () => {
    expect((await get('/hooked')).status).toBe(500);
    const hooked = await waitForEvent('/hooked');
    expect(hooked.exception?.values?.at(-1)).toMatchObject({ value: 'hook failed', mechanism: { type: 'fastify', handled: false } });
  });
});
