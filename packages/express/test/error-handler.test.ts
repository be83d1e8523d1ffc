import express from 'express5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, flush, init, lastEventId } from '@faultline/node';
import { listen, startReceiver, type Receiver, type RunningServer } from '@faultline/testkit';
import { defaultShouldHandleError, errorHandler, requestHandler, type ErrorHandlerOptions } from '@faultline/express';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  init({ dsn: receiver.dsn() });
});
afterAll(async () => {
  await close(5000);
  await receiver.close();
});

/** An app whose only route throws what the query asks for, behind errorHandler(options). */
async function serve(options: ErrorHandlerOptions): Promise<RunningServer> {
  const app = express();
  app.use(requestHandler());
  app.get('/throw/:status', (req) => {
    throw Object.assign(new Error(`failed with ${req.params.status}`), { status: Number(req.params.status) });
  });
  app.use(errorHandler(options));
  app.use((error: { status: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status).json({ supportCode: lastEventId() ?? null });
  });
  return listen(app);
}

describe('defaultShouldHandleError', () => {
  it('reports errors without a status and those with 5xx, not 4xx', () => {
    expect(defaultShouldHandleError(new Error('plain'))).toBe(true);
    expect(defaultShouldHandleError('a string')).toBe(true);
    expect(defaultShouldHandleError({ status: 503 })).toBe(true);
    expect(defaultShouldHandleError({ statusCode: 500 })).toBe(true);
    expect(defaultShouldHandleError({ status: 404 })).toBe(false);
    expect(defaultShouldHandleError({ statusCode: 401 })).toBe(false);
    expect(defaultShouldHandleError({ status_code: 422 })).toBe(false);
    expect(defaultShouldHandleError({ output: { statusCode: 400 } })).toBe(false);
  });

  it('treats a status Express would not answer with as a 500', () => {
    expect(defaultShouldHandleError({ status: 200 })).toBe(true);
    expect(defaultShouldHandleError({ status: '404' })).toBe(true);
  });

  it('survives errors whose getters throw', () => {
    const hostile = Object.defineProperty({}, 'status', { get: () => { throw new Error('no'); } });
    expect(defaultShouldHandleError(hostile)).toBe(true);
  });
});

describe('errorHandler', () => {
  it('reports 4xx errors when shouldHandleError says so', async () => {
    const server = await serve({ shouldHandleError: (error) => (error as { status: number }).status === 409 });
    try {
      const conflict = await fetch(`${server.url}/throw/409`);
      const { supportCode } = (await conflict.json()) as { supportCode: string };
      expect(conflict.status).toBe(409);
      await receiver.waitFor(() => receiver.events().some((e) => e.event_id === supportCode));
      const notFound = await fetch(`${server.url}/throw/404`);
      expect(await notFound.json()).toEqual({ supportCode: null });
      expect(notFound.headers.get('x-faultline-event-id')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('passes the error on unchanged when shouldHandleError throws', async () => {
    const server = await serve({
      shouldHandleError: () => {
        throw new Error('broken option');
      },
    });
    try {
      const response = await fetch(`${server.url}/throw/502`);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ supportCode: null });
    } finally {
      await server.close();
    }
    expect(await flush(5000)).toBe(true);
    expect(receiver.events().filter((e) => e.exception?.values?.at(-1)?.value === 'failed with 502')).toEqual([]);
  });
});
