import fastify, { type FastifyInstance } from 'fastify5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureException, close, flush, init } from '@faultline/node';
import { SECRET_HEADERS, startReceiver, type Receiver } from '@faultline/testkit';
import { defaultShouldHandleError, plugin, type PluginOptions } from '@faultline/fastify';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  init({ dsn: receiver.dsn(), sendDefaultPii: true });
});
afterAll(async () => {
  await close(5000);
  await receiver.close();
});

/** An app whose routes throw the status in the path, or capture by hand, with the plugin's options. */
async function serve(options?: PluginOptions): Promise<{ app: FastifyInstance; url: string }> {
  const app = fastify();
  await app.register(plugin, options ?? {});
  app.get<{ Params: { status: string } }>('/throw/:status', async (request) => {
    throw Object.assign(new Error(`failed with ${request.params.status}`), { statusCode: Number(request.params.status) });
  });
  app.get<{ Params: { status: string } }>('/reply/:status', async (request, reply) => {
    reply.code(Number(request.params.status));
    throw new Error(`replied ${request.params.status}`);
  });
  app.get<{ Params: { id: string } }>('/capture/:id', async (request) => ({ eventId: captureException(new Error(`capture ${request.params.id}`)) }));
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

describe('defaultShouldHandleError', () => {
  const reply = (statusCode: number) => ({ statusCode });
  const request = { method: 'GET', url: '/', headers: {} };

  it('reports errors without a status and those with 5xx, not 4xx', () => {
    expect(defaultShouldHandleError(new Error('plain'), request, reply(200))).toBe(true);
    expect(defaultShouldHandleError({ statusCode: 503 }, request, reply(200))).toBe(true);
    expect(defaultShouldHandleError({ statusCode: 400 }, request, reply(200))).toBe(false);
    expect(defaultShouldHandleError({ status: 404 }, request, reply(200))).toBe(false);
  });

  it('goes by a 4xx or 5xx the route set on the reply, as Fastify answers with it', () => {
    expect(defaultShouldHandleError(new Error('plain'), request, reply(404))).toBe(false);
    expect(defaultShouldHandleError({ statusCode: 400 }, request, reply(502))).toBe(true);
  });
});

describe('plugin', () => {
  it('sends cookies, auth headers, secret query parameters and the client IP with sendDefaultPii', async () => {
    const { app, url } = await serve();
    try {
      const response = await fetch(`${url}/capture/1?token=t-1`, { headers: SECRET_HEADERS });
      const { eventId } = (await response.json()) as { eventId: string };
      await receiver.waitFor(() => receiver.events().some((e) => e.event_id === eventId));
      const event = receiver.events().find((e) => e.event_id === eventId)!;
      expect(event.transaction).toBe('GET /capture/:id');
      expect(event.request).toMatchObject({
        query_string: 'token=t-1',
        headers: { cookie: SECRET_HEADERS.cookie, authorization: SECRET_HEADERS.authorization },
        env: { REMOTE_ADDR: '127.0.0.1' },
      });
    } finally {
      await app.close();
    }
  });

  it('does not report an error answered with a 4xx the route set', async () => {
    const { app, url } = await serve();
    try {
      expect((await fetch(`${url}/reply/409`)).status).toBe(409);
      expect((await fetch(`${url}/reply/500`)).status).toBe(500);
      await receiver.waitFor(() => receiver.events().some((e) => e.exception?.values?.at(-1)?.value === 'replied 500'));
      expect(await flush(5000)).toBe(true);
      expect(receiver.events().filter((e) => e.exception?.values?.at(-1)?.value === 'replied 409')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('reports 4xx errors when shouldHandleError says so', async () => {
    const { app, url } = await serve({ shouldHandleError: (error) => (error as { statusCode: number }).statusCode === 429 });
    try {
      expect((await fetch(`${url}/throw/429`)).status).toBe(429);
      expect((await fetch(`${url}/throw/500`)).status).toBe(500);
      expect(await flush(5000)).toBe(true);
      const values = receiver.events().map((e) => e.exception?.values?.at(-1)?.value);
      expect(values).toContain('failed with 429');
      expect(values).not.toContain('failed with 500');
    } finally {
      await app.close();
    }
  });

  it('lets Fastify answer as usual when shouldHandleError throws', async () => {
    const { app, url } = await serve({
      shouldHandleError: () => {
        throw new Error('broken option');
      },
    });
    try {
      const response = await fetch(`${url}/throw/503`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ message: 'failed with 503' });
    } finally {
      await app.close();
    }
  });
});
