import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { buildEnvelope, errorEvent, eventEnvelope } from './build-envelope';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const envelopeUrl = (query = 'sentry_key=public&sentry_version=7&sentry_client=test%2F1', project = 1): string =>
  `${receiver.url}/api/${project}/envelope/?${query}`;

function post(body: Buffer | string, headers: Record<string, string> = {}, url = envelopeUrl()): Promise<Response> {
  return fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'Content-Type': 'application/x-sentry-envelope', ...headers } });
}

describe('startReceiver', () => {
  it('listens on 127.0.0.1 and builds DSNs for its port', () => {
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}`);
    expect(receiver.dsn()).toBe(`http://public@127.0.0.1:${receiver.port}/1`);
    expect(receiver.dsn(42, 'abc')).toBe(`http://abc@127.0.0.1:${receiver.port}/42`);
  });

  it('records an event envelope and answers 200 with its id', async () => {
    const event = errorEvent();
    const body = eventEnvelope(event);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: event.event_id });
    expect(receiver.events()).toEqual([event]);
    const [envelope] = receiver.envelopes();
    expect(envelope?.projectId).toBe('1');
    expect(envelope?.header.event_id).toBe(event.event_id);
    expect(envelope?.items.map((item) => item.header.type)).toEqual(['event']);
    expect(envelope?.raw.equals(body)).toBe(true);
    const [request] = receiver.requests();
    expect(request).toMatchObject({ method: 'POST', path: '/api/1/envelope/', status: 200, bytes: body.length });
    expect(request?.query.sentry_key).toBe('public');
    expect(receiver.violations()).toEqual([]);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decodes Content-Encoding %s', async (encoding, compress) => {
    const event = errorEvent();
    const body = compress(eventEnvelope(event));
    const res = await post(body, { 'Content-Encoding': encoding });
    expect(res.status).toBe(200);
    expect(receiver.events()).toEqual([event]);
    expect(receiver.requests()[0]?.bytes).toBe(body.length);
    expect(receiver.violations()).toEqual([]);
  });

  it('reads length-delimited items by UTF-8 bytes, and items without length up to the newline', async () => {
    const event = errorEvent({ extra: { text: 'héllo wörld ✓ 日本語 🎉' } });
    const attachment = Buffer.from('line one\nline two ✓\n');
    const body = Buffer.concat([
      buildEnvelope({ event_id: event.event_id, sent_at: new Date().toISOString() }, [
        [{ type: 'event' }, event],
        [{ type: 'attachment', filename: 'log.txt', content_type: 'text/plain' }, attachment],
      ]),
      Buffer.from(`${JSON.stringify({ type: 'client_report' })}\n`),
      Buffer.from(JSON.stringify({ timestamp: 1_700_000_000, discarded_events: [{ reason: 'sample_rate', category: 'error', quantity: 2 }] })),
    ]);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(receiver.events()).toEqual([event]);
    const items = receiver.envelopes()[0]?.items ?? [];
    expect(items.map((item) => item.header.type)).toEqual(['event', 'attachment', 'client_report']);
    expect(Buffer.isBuffer(items[1]?.payload) && (items[1]?.payload as Buffer).equals(attachment)).toBe(true);
    expect(receiver.discarded()).toEqual({ 'sample_rate:error': 2 });
    expect(receiver.violations()).toEqual([]);
  });

  it('takes the key from the X-Sentry-Auth header', async () => {
    const auth = 'Sentry sentry_key=abc, sentry_version=7, sentry_client=faultline.javascript.node/0.1.0';
    const res = await post(eventEnvelope(), { 'X-Sentry-Auth': auth }, `${receiver.url}/api/7/envelope/`);
    expect(res.status).toBe(200);
    expect(receiver.envelopes()[0]?.projectId).toBe('7');
    expect(receiver.violations()).toEqual([]);
  });

  it('answers 401 and records a violation when the key is missing', async () => {
    const res = await post(eventEnvelope(), {}, envelopeUrl('sentry_version=7'));
    expect(res.status).toBe(401);
    expect(receiver.events()).toEqual([]);
    expect(receiver.violations()).toEqual([expect.objectContaining({ kind: 'auth', path: '/api/1/envelope/' })]);
  });

  it('accepts the legacy store endpoint, whose body is the event', async () => {
    const event = errorEvent();
    const res = await post(JSON.stringify(event), { 'Content-Type': 'application/json' }, `${receiver.url}/api/3/store/?sentry_key=k`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: event.event_id });
    expect(receiver.events()).toEqual([event]);
    expect(receiver.violations()).toEqual([]);
  });

  it('accepts tunnel posts authenticated by the dsn in the envelope header', async () => {
    const event = errorEvent();
    const body = buildEnvelope({ event_id: event.event_id, sent_at: new Date().toISOString(), dsn: receiver.dsn(5, 'tunnelkey') }, [
      [{ type: 'event' }, event],
    ]);
    const res = await post(body, {}, `${receiver.url}/tunnel`);
    expect(res.status).toBe(200);
    expect(receiver.envelopes()[0]?.projectId).toBe('5');
    expect(receiver.events()).toEqual([event]);
  });

  it('answers 413 to a body that inflates past 20 MiB', async () => {
    const res = await post(gzipSync(Buffer.alloc(21 * 1024 * 1024, 0x20)), { 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(receiver.violations().map((v) => v.kind)).toEqual(['size']);
  });

  it('records schema violations with the event id, and still stores the event', async () => {
    const event = errorEvent({ user: { id: '1', nickname: 'bob' } });
    const res = await post(eventEnvelope(event));
    expect(res.status).toBe(200);
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.violations()).toEqual([
      { kind: 'schema', path: '/api/1/envelope/', eventId: event.event_id, message: '/user: must NOT have additional properties "nickname"' },
    ]);
  });

  it('answers 400 and records a violation when an item length is wrong', async () => {
    const event = errorEvent({ extra: { note: 'naïve ☕' } });
    const json = JSON.stringify(event);
    // The classic bug: a length counted in UTF-16 code units instead of UTF-8 bytes.
    const body = buildEnvelope({ event_id: event.event_id, sent_at: new Date().toISOString() }, [[{ type: 'event', length: json.length }, json]]);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(receiver.violations().map((v) => v.kind)).toEqual(['length']);
    expect(receiver.events()).toEqual([event]); // recovered, so the test can still see what was sent
  });

  it('answers CORS preflights and sets CORS headers on every answer', async () => {
    const preflight = await fetch(envelopeUrl(), {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const res = await post(eventEnvelope(), { Origin: 'http://example.test' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-sentry-rate-limits, retry-after');
  });

  it('serves what it received at GET /events and GET /summary', async () => {
    const event = errorEvent();
    await post(eventEnvelope(event));
    expect(await (await fetch(`${receiver.url}/events`)).json()).toEqual([event]);
    const summary = (await (await fetch(`${receiver.url}/summary`)).json()) as Array<{ title: string; count: number }>;
    expect(summary).toEqual([expect.objectContaining({ title: 'TypeError: x is not a function', count: 1 })]);
  });

  it('waitForEvents resolves once the events have arrived', async () => {
    const waiting = receiver.waitForEvents(2);
    await post(eventEnvelope());
    await post(eventEnvelope());
    expect(await waiting).toHaveLength(2);
  });

  it('waitFor rejects with what did arrive when the condition never holds', async () => {
    await post(eventEnvelope(), {}, envelopeUrl('sentry_version=7'));
    const error = await receiver.waitFor((r) => r.events().length > 0, 50).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain('POST /api/1/envelope/ -> 401');
    expect(String(error)).toContain('[auth]');
  });

  it('reset() forgets everything recorded', async () => {
    await post(eventEnvelope());
    receiver.reset();
    expect(receiver.events()).toEqual([]);
    expect(receiver.envelopes()).toEqual([]);
    expect(receiver.requests()).toEqual([]);
  });
});
