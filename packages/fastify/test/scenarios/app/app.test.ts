import fastify4 from 'fastify4';
import fastify5, { type FastifyInstance } from 'fastify5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBreadcrumb, close, flush, init, lastEventId, setTag, setUser } from '@faultline/node';
import { barrier, SECRET_HEADERS, SECRET_QUERY, SECRET_VALUES, startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { plugin } from '@faultline/fastify';

const CONCURRENT = 20;

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

describe.each([
  ['Fastify 4', fastify4 as unknown as typeof fastify5],
  ['Fastify 5', fastify5],
])('%s', (_name, fastify) => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    app = await createApp(fastify);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });
  const eventsFor = (path: string): SentryEvent[] => receiver.events().filter((e) => e.request?.url === `${url}${path}`);
  const waitForEvent = async (path: string): Promise<SentryEvent> => {
    await receiver.waitFor(() => eventsFor(path).length > 0);
    return eventsFor(path)[0]!;
  };

  it('leaves successful responses untouched and reports nothing for them', async () => {
    const response = await get('/ok');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
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
      mechanism: { type: 'fastify', handled: false },
    });
    expect(event.transaction).toBe('GET /orders/:id');
    expect(event.request).toMatchObject({ method: 'GET', query_string: 'page=2', headers: { 'x-shop': 'front' } });
    expect(event.request?.env).toBeUndefined();
    expect(await flush(5000)).toBe(true);
    expect(eventsFor('/orders/42')).toHaveLength(1);
  });

  it("gives the app's error handler the event id as support code", async () => {
    const response = await get('/orders/7');
    const { supportCode } = (await response.json()) as { supportCode: string };
    const event = await waitForEvent('/orders/7');
    expect(supportCode).toMatch(/^[0-9a-f]{32}$/);
    expect(supportCode).toBe(event.event_id);
  });

  it('reports errors from async route handlers and from hooks', async () => {
    expect((await get('/async/9')).status).toBe(500);
    const event = await waitForEvent('/async/9');
    expect(event.exception?.values?.at(-1)).toMatchObject({ type: 'TypeError', value: 'async 9 failed' });
    expect(event.transaction).toBe('GET /async/:id');
    expect((await get('/hooked')).status).toBe(500);
    const hooked = await waitForEvent('/hooked');
    expect(hooked.exception?.values?.at(-1)).toMatchObject({ value: 'hook failed', mechanism: { type: 'fastify', handled: false } });
  });

  it('does not report errors with a 4xx status, nor unknown routes', async () => {
    expect((await get('/forbidden')).status).toBe(403);
    expect((await get('/no-such-page')).status).toBe(404);
    expect(await flush(5000)).toBe(true);
    expect(eventsFor('/forbidden')).toEqual([]);
    expect(eventsFor('/no-such-page')).toEqual([]);
  });

  it('applies to encapsulated plugins, naming the transaction with their prefix', async () => {
    expect((await get('/items/abc')).status).toBe(500);
    expect((await waitForEvent('/items/abc')).transaction).toBe('GET /items/:sku');
  });

  it(`keeps tags, user and breadcrumbs of ${CONCURRENT} concurrent requests with bodies apart`, async () => {
    const post = (n: number) => fetch(`${url}/work`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_, n) => post(n)));
    const supportCodes = await Promise.all(responses.map(async (r) => ((await r.json()) as { supportCode: string }).supportCode));
    expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(500));
    await receiver.waitFor(() => eventsFor('/work').length === CONCURRENT);
    for (let n = 0; n < CONCURRENT; n++) {
      const event = eventsFor('/work').find((e) => e.exception?.values?.at(-1)?.value === `work ${n} failed`);
      expect(event?.transaction).toBe('POST /work');
      expect(event?.tags?.n).toBe(String(n));
      expect(event?.user?.id).toBe(`user-${n}`);
      const crumbs = (event?.breadcrumbs?.values ?? []).map((b) => b.message).filter((m) => m?.startsWith('crumb-'));
      expect(crumbs).toEqual([`crumb-${n}`]);
      expect(supportCodes[n]).toBe(event?.event_id);
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
