import express from 'express5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureException, close, init, setTag } from '@faultline/node';
import { listen, SECRET_HEADERS, startReceiver, type Receiver, type RunningServer } from '@faultline/testkit';
import { requestHandler } from '@faultline/express';

let receiver: Receiver;
let server: RunningServer;
beforeAll(async () => {
  receiver = await startReceiver();
  init({ dsn: receiver.dsn(), sendDefaultPii: true });
  const app = express();
  app.use(requestHandler());
  app.get('/reports/:id', (req, res) => {
    setTag('report', String(req.params.id));
    res.json({ eventId: captureException(new Error(`report ${req.params.id} failed`)) });
  });
  server = await listen(app);
});
afterAll(async () => {
  await server.close();
  await close(5000);
  await receiver.close();
});

describe('requestHandler', () => {
  it('gives events captured inside a route the request, the route and the request scope', async () => {
    const response = await fetch(`${server.url}/reports/5?token=t-1`, { headers: SECRET_HEADERS });
    const { eventId } = (await response.json()) as { eventId: string };
    await receiver.waitFor(() => receiver.events().some((e) => e.event_id === eventId));
    const event = receiver.events().find((e) => e.event_id === eventId)!;
    expect(event.transaction).toBe('GET /reports/:id');
    expect(event.tags?.report).toBe('5');
    expect(receiver.violations()).toEqual([]);
  });

  it('sends cookies, auth headers, secret query parameters and the client IP with sendDefaultPii', async () => {
    const response = await fetch(`${server.url}/reports/6?token=t-2`, { headers: SECRET_HEADERS });
    const { eventId } = (await response.json()) as { eventId: string };
    await receiver.waitFor(() => receiver.events().some((e) => e.event_id === eventId));
    const { request } = receiver.events().find((e) => e.event_id === eventId)!;
    expect(request).toMatchObject({
      query_string: 'token=t-2',
      headers: { cookie: SECRET_HEADERS.cookie, authorization: SECRET_HEADERS.authorization, 'x-api-key': SECRET_HEADERS['x-api-key'] },
      env: { REMOTE_ADDR: '127.0.0.1' },
    });
  });
});
