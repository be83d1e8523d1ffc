import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { captureException, captureMessage, close, flush, getIsolationScope, httpIntegration, init } from '@faultline/node';

let receiver: Receiver;
let server: http.Server;
let base: string;
beforeAll(async () => {
  receiver = await startReceiver();
  server = http.createServer((req, res) => {
    res.writeHead(Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await close(2000);
  getIsolationScope().clearBreadcrumbs();
  receiver.reset();
});
afterAll(async () => {
  server.close();
  await receiver.close();
});

function get(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', () => resolve(undefined));
  });
}

async function breadcrumbsOfNextEvent() {
  captureMessage('probe');
  const [event] = await receiver.waitForEvents(1);
  return event!.breadcrumbs?.values ?? [];
}

describe('httpIntegration', () => {
  it('records http requests with method, url without query or fragment, and status', async () => {
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [httpIntegration()] });
    await get(`${base}/users/1?token=secret#frag`);
    await get(`${base}/missing?status=404`);
    await get(`${base}/broken?status=503`);
    const crumbs = await breadcrumbsOfNextEvent();
    expect(crumbs).toEqual([
      { type: 'http', category: 'http', timestamp: expect.any(Number), data: { method: 'GET', url: `${base}/users/1`, status_code: 200 } },
      { type: 'http', category: 'http', timestamp: expect.any(Number), level: 'warning', data: { method: 'GET', url: `${base}/missing`, status_code: 404 } },
      { type: 'http', category: 'http', timestamp: expect.any(Number), level: 'error', data: { method: 'GET', url: `${base}/broken`, status_code: 503 } },
    ]);
    expect(receiver.violations()).toEqual([]);
  });

  it('records fetch requests', async () => {
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [httpIntegration()] });
    await (await fetch(`${base}/api?q=1`, { method: 'POST', body: 'x' })).text();
    const crumbs = await breadcrumbsOfNextEvent();
    expect(crumbs.map((c) => c.data)).toEqual([{ method: 'POST', url: `${base}/api`, status_code: 200 }]);
  });

  it('records a failed request as an error without status', async () => {
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [httpIntegration()] });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await get(`http://127.0.0.1:${port}/gone`)).toBeUndefined();
    const crumbs = await breadcrumbsOfNextEvent();
    expect(crumbs.map((c) => [c.level, c.data])).toEqual([['error', { method: 'GET', url: `http://127.0.0.1:${port}/gone` }]]);
  });

  it("never records the SDK's own deliveries, but does record other requests to the same server", async () => {
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [httpIntegration()] });
    captureException(new Error('first'));
    await flush(2000);
    await get(`${receiver.url}/some/page`);
    receiver.reset();
    const crumbs = await breadcrumbsOfNextEvent();
    expect(crumbs.map((c) => c.data!.url)).toEqual([`${receiver.url}/some/page`]);
  });

  it('stops recording after close()', async () => {
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [httpIntegration()] });
    await close();
    await get(`${base}/after-close`);
    init({ dsn: receiver.dsn(), defaultIntegrations: false });
    expect(await breadcrumbsOfNextEvent()).toEqual([]);
  });
});
