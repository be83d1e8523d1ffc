import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { eventEnvelope } from './build-envelope';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function send(signal?: AbortSignal): Promise<Response> {
  return fetch(`${receiver.url}/api/1/envelope/?sentry_key=public`, { method: 'POST', body: new Uint8Array(eventEnvelope()), signal });
}

/** The error code under fetch's "fetch failed". */
async function failure(request: Promise<Response>): Promise<string | undefined> {
  const error = await request.then(() => undefined, (e: Error & { cause?: { code?: string } }) => e);
  expect(error).toBeInstanceOf(Error);
  return error?.cause?.code;
}

describe('respond', () => {
  it('answers 429 with rate-limit headers once, without storing the event, then answers normally', async () => {
    receiver.respond({ status: 429, headers: { 'X-Sentry-Rate-Limits': '60:error:organization', 'Retry-After': '60' } });
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-sentry-rate-limits')).toBe('60:error:organization');
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(receiver.events()).toEqual([]);
    expect((await send()).status).toBe(200);
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.requests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('plays queued faults in order, each for its number of times', async () => {
    receiver.respond({ status: 500, times: 2 });
    receiver.respond({ status: 413, body: '{"detail":"too big"}' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([500, 500, 413, 200]);
  });

  it('keeps a fault with times: Infinity until the faults are cleared', async () => {
    receiver.respond({ status: 503, times: Infinity });
    expect((await send()).status).toBe(503);
    expect((await send()).status).toBe(503);
    receiver.respond(undefined);
    expect((await send()).status).toBe(200);
    receiver.respond({ status: 503, times: Infinity });
    receiver.clearFaults();
    expect((await send()).status).toBe(200);
  });

  it('stores the event on a scripted 2xx answer that carries rate limits', async () => {
    receiver.respond({ status: 200, headers: { 'X-Sentry-Rate-Limits': '10::organization' } });
    const res = await send();
    expect(res.headers.get('x-sentry-rate-limits')).toBe('10::organization');
    expect(receiver.events()).toHaveLength(1);
  });

  it('delays the answer, then answers normally', async () => {
    receiver.respond({ delayMs: 100 });
    const res = await send();
    expect(res.status).toBe(200);
    expect(receiver.events()).toHaveLength(1);
  });

  it('lets a client time out on a slow answer', async () => {
    receiver.respond({ delayMs: 5_000 });
    const error = await send(AbortSignal.timeout(50)).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
  });

  it('resets the connection without answering', async () => {
    receiver.respond({ reset: true });
    expect(await failure(send())).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(receiver.requests().map((r) => r.status)).toEqual([0]);
    expect(receiver.events()).toEqual([]);
    expect((await send()).status).toBe(200);
  });
});

describe('down and up', () => {
  it('refuses connections while down and comes back on the same port with its data', async () => {
    expect((await send()).status).toBe(200);
    const { port, url } = receiver;
    await receiver.down();
    expect(await failure(send())).toBe('ECONNREFUSED');
    await receiver.up();
    expect(receiver.port).toBe(port);
    expect(receiver.url).toBe(url);
    expect((await send()).status).toBe(200);
    expect(receiver.events()).toHaveLength(2);
  });
});
