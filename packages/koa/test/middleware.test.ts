import Koa from 'koa3';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureException, close, flush, init, lastEventId } from '@faultline/node';
import { listen, SECRET_HEADERS, startReceiver, type Receiver, type RunningServer } from '@faultline/testkit';
import { defaultShouldHandleError, middleware, type MiddlewareOptions } from '@faultline/koa';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  init({ dsn: receiver.dsn(), sendDefaultPii: true });
});
afterAll(async () => {
  await close(5000);
  await receiver.close();
});

/** An app whose routes throw the status in the path, or capture by hand, behind middleware(options). */
async function serve(options?: MiddlewareOptions<Koa.Context>): Promise<RunningServer> {
  const app = new Koa();
  const router = new Router();
  app.use(middleware(options));
  router.get('/throw/:status', (ctx) => ctx.throw(Number(ctx.params.status), `failed with ${ctx.params.status}`));
  router.get('/capture/:id', (ctx) => {
    ctx.body = { eventId: captureException(new Error(`capture ${ctx.params.id}`)) };
  });
  app.use(router.routes());
  app.on('error', () => undefined);
  return listen(app.callback());
}

describe('defaultShouldHandleError', () => {
  it('reports errors without a status and those with 5xx, not 4xx', () => {
    expect(defaultShouldHandleError(new Error('plain'))).toBe(true);
    expect(defaultShouldHandleError(null)).toBe(true);
    expect(defaultShouldHandleError({ status: 500 })).toBe(true);
    expect(defaultShouldHandleError({ statusCode: 502 })).toBe(true);
    expect(defaultShouldHandleError({ status: 404 })).toBe(false);
    expect(defaultShouldHandleError({ statusCode: 400 })).toBe(false);
    expect(defaultShouldHandleError({ status: 302 })).toBe(true);
  });
});

describe('middleware', () => {
  it('sends cookies, auth headers, secret query parameters and the client IP with sendDefaultPii', async () => {
    const server = await serve();
    try {
      const response = await fetch(`${server.url}/capture/1?token=t-1`, { headers: SECRET_HEADERS });
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
      await server.close();
    }
  });

  it('reports 4xx errors when shouldHandleError says so, and hands it the context', async () => {
    const seen: string[] = [];
    const server = await serve({
      shouldHandleError: (error, ctx) => {
        seen.push(ctx.path);
        return (error as { status: number }).status === 409;
      },
    });
    try {
      expect((await fetch(`${server.url}/throw/409`)).status).toBe(409);
      expect((await fetch(`${server.url}/throw/404`)).status).toBe(404);
      expect(await flush(5000)).toBe(true);
      const values = receiver.events().map((e) => e.exception?.values?.at(-1)?.value);
      expect(values).toContain('failed with 409');
      expect(values).not.toContain('failed with 404');
      expect(seen).toEqual(['/throw/409', '/throw/404']);
    } finally {
      await server.close();
    }
  });

  it('lets the error reach Koa unchanged when shouldHandleError throws', async () => {
    const server = await serve({
      shouldHandleError: () => {
        throw new Error('broken option');
      },
    });
    try {
      const response = await fetch(`${server.url}/throw/503`);
      expect(response.status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it("keeps the requests' event ids out of the process-wide scope", () => {
    expect(lastEventId()).toBeUndefined();
  });
});
