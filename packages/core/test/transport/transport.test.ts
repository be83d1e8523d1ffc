import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateEvent } from '@faultline/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, parseEnvelope, type Envelope, type EnvelopeItem } from '../../src/envelope';
import type { Timers } from '../../src/transport/queue';
import {
  createTransport,
  type RequestExecutor,
  type TransportEnv,
  type TransportOptions,
  type TransportResponse,
} from '../../src/transport/transport';
import type { DataCategory, DiscardReason, Event } from '../../src/types';

const SDK = { name: 'faultline.javascript.test', version: '0.0.0-test' };
let nextId = 0;

function makeEvent(message = 'boom'): Event {
  const event_id = (++nextId).toString(16).padStart(32, '0');
  return {
    event_id,
    timestamp: 1_714_564_800.25,
    platform: 'javascript',
    level: 'error',
    exception: { values: [{ type: 'Error', value: message, mechanism: { type: 'generic', handled: true } }] },
  };
}

function eventEnvelope(event = makeEvent(), extra: EnvelopeItem[] = []): Envelope {
  return createEnvelope({ event_id: event.event_id, sdk: SDK }, [[{ type: 'event' }, event], ...extra]);
}

const sessionItem: EnvelopeItem = [{ type: 'session' }, { sid: 'abc', status: 'ok', init: true }];
const reportItem: EnvelopeItem = [{ type: 'client_report' }, { timestamp: 1, discarded_events: [] }];
const attachmentItem: EnvelopeItem = [{ type: 'attachment', filename: 'notes.txt' }, 'some notes'];

type Drop = [DiscardReason, DataCategory, number | undefined];

function transportOptions(drops: Drop[], overrides: Partial<TransportOptions> = {}): TransportOptions {
  return {
    url: 'unused',
    recordDroppedEvent: (reason, category, quantity) => drops.push([reason, category, quantity]),
    ...overrides,
  };
}

/** Retry timers that fire at once but remember how long they were asked to wait. */
function instantTimers(delays: number[]): Timers {
  return {
    setTimeout: (callback, ms) => {
      delays.push(ms);
      queueMicrotask(callback);
      return 0;
    },
    clearTimeout: () => {},
  };
}

/** Timers that fire only when the test calls `fireAll`. */
function manualTimers() {
  const scheduled = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback) => {
      scheduled.set(++next, callback);
      return next;
    },
    clearTimeout: (id) => {
      scheduled.delete(id as number);
    },
  };
  const fireAll = () => {
    for (const [id, callback] of [...scheduled]) {
      scheduled.delete(id);
      callback();
    }
  };
  return { timers, fireAll };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** The reply waits for this. */
  hold?: Promise<void>;
}

interface Receiver {
  url: string;
  /** What arrived, parsed from the bytes on the wire. */
  envelopes: Envelope[];
  /** Replies for the next requests, in order; 200 once they run out. */
  replies: Reply[];
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real envelope endpoint on 127.0.0.1 that parses and validates what it gets. */
async function startReceiver(): Promise<Receiver> {
  const envelopes: Envelope[] = [];
  const replies: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      const reply = replies.shift() ?? {};
      try {
        const envelope = parseEnvelope(body);
        for (const [header, payload] of envelope[1]) {
          const problems = header.type === 'event' ? validateEvent(payload) : [];
          if (problems.length) throw new Error(problems.join('; '));
        }
        envelopes.push(envelope);
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      void Promise.resolve(reply.hold).then(() => res.writeHead(reply.status ?? 200, reply.headers).end('{}'));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/1/envelope/`, envelopes, replies, server };
}

/** The request function a platform would supply, over the real `fetch`. */
function fetchRequest(url: string, calls?: { count: number }): RequestExecutor {
  return async ({ body }): Promise<TransportResponse> => {
    if (calls) calls.count++;
    const response = await fetch(url, { method: 'POST', body: body as BodyInit });
    await response.arrayBuffer();
    return {
      statusCode: response.status,
      headers: {
        'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
        'retry-after': response.headers.get('retry-after'),
      },
    };
  };
}

const types = (envelope: Envelope | undefined) => envelope?.[1].map(([header]) => header.type);

describe('createTransport over HTTP', () => {
  it('delivers a valid envelope, item lengths in bytes, sent_at written', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url));
    const event = makeEvent('ünïcödé 日本語 💥');

    await transport.send(eventEnvelope(event, [attachmentItem]));

    expect(receiver.envelopes).toHaveLength(1);
    const [header, items] = receiver.envelopes[0]!;
    expect(header).toMatchObject({ event_id: event.event_id, sdk: SDK });
    expect(Date.parse(header.sent_at!)).not.toBeNaN();
    expect(items[0]).toEqual([{ type: 'event' }, event]);
    // Read from bytes, attachments come back as bytes.
    expect(items[1]![0]).toEqual(attachmentItem[0]);
    expect(Buffer.from(items[1]![1] as Uint8Array).toString()).toBe(attachmentItem[1]);
    expect(drops).toEqual([]);
  });

  it('sends binary payloads byte for byte', async () => {
    const receiver = await startReceiver();
    const transport = createTransport(transportOptions([]), fetchRequest(receiver.url));
    const bytes = new Uint8Array(300).map((_, i) => (i * 7) % 256);

    await transport.send(eventEnvelope(makeEvent(), [[{ type: 'attachment', filename: 'dump.bin' }, bytes]]));

    const attachment = receiver.envelopes[0]![1][1]![1] as Uint8Array;
    expect(Buffer.from(attachment).equals(Buffer.from(bytes))).toBe(true);
  });

  it('drops rate-limited categories without a request after a 429 with X-Sentry-Rate-Limits', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const calls = { count: 0 };
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url, calls));
    receiver.replies.push({ status: 429, headers: { 'X-Sentry-Rate-Limits': '60:error;attachment:key:quota_exceeded' } });

    await transport.send(eventEnvelope());
    expect(drops).toEqual([]); // the server counts what it rate-limits itself

    await transport.send(eventEnvelope(makeEvent(), [attachmentItem]));
    expect(calls.count).toBe(1);
    expect(drops).toEqual([
      ['ratelimit_backoff', 'error', 1],
      ['ratelimit_backoff', 'attachment', 1],
    ]);

    // Other categories still go, with the limited items filtered out.
    await transport.send(eventEnvelope(makeEvent(), [sessionItem]));
    expect(calls.count).toBe(2);
    expect(types(receiver.envelopes[1])).toEqual(['session']);
  });

  it('limits every category after a 429 with only Retry-After, never counting client reports', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const calls = { count: 0 };
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url, calls));
    receiver.replies.push({ status: 429, headers: { 'Retry-After': '30' } });

    await transport.send(eventEnvelope());
    await transport.send(createEnvelope({}, [sessionItem, reportItem]));
    await transport.send(createEnvelope({}, [reportItem]));

    expect(calls.count).toBe(1);
    expect(drops).toEqual([['ratelimit_backoff', 'session', 1]]);
  });

  it('lets limits expire', async () => {
    const receiver = await startReceiver();
    let clock = 1_000_000;
    const transport = createTransport(transportOptions([]), fetchRequest(receiver.url), { now: () => clock });
    receiver.replies.push({ status: 429, headers: { 'Retry-After': new Date(clock + 45_000).toUTCString() } });

    await transport.send(eventEnvelope());
    await transport.send(eventEnvelope());
    expect(receiver.envelopes).toHaveLength(1);

    clock += 45_000;
    await transport.send(eventEnvelope());
    expect(receiver.envelopes).toHaveLength(2);
  });

  it('honours X-Sentry-Rate-Limits on a 200 too', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url));
    receiver.replies.push({ status: 200, headers: { 'X-Sentry-Rate-Limits': '2.5::organization' } });

    await transport.send(eventEnvelope());
    await transport.send(eventEnvelope());

    expect(receiver.envelopes).toHaveLength(1);
    expect(drops).toEqual([['ratelimit_backoff', 'error', 1]]);
  });

  it('drops a queued envelope whose category got limited while it waited', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url));
    const release = deferred();
    receiver.replies.push({ status: 429, headers: { 'X-Sentry-Rate-Limits': '60:error:key' }, hold: release.promise });

    const first = transport.send(eventEnvelope());
    const second = transport.send(eventEnvelope(makeEvent(), [sessionItem]));
    release.resolve();
    await Promise.all([first, second]);

    expect(types(receiver.envelopes[1])).toEqual(['session']);
    expect(drops).toEqual([['ratelimit_backoff', 'error', 1]]);
  });

  it('counts a 413 as send_error without retrying', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const calls = { count: 0 };
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url, calls));
    receiver.replies.push({ status: 413 });

    await transport.send(eventEnvelope(makeEvent(), [attachmentItem, reportItem]));

    expect(calls.count).toBe(1);
    expect(drops).toEqual([
      ['send_error', 'error', 1],
      ['send_error', 'attachment', 1],
    ]);
  });

  it('retries a 5xx with backoff, then counts send_error', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const delays: number[] = [];
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url), {
      timers: instantTimers(delays),
      random: () => 0.5,
    });
    receiver.replies.push({ status: 500 }, { status: 502 }, { status: 503 });

    await transport.send(eventEnvelope());

    expect(receiver.envelopes).toHaveLength(3);
    expect(delays).toEqual([750, 1_500]);
    expect(drops).toEqual([['send_error', 'error', 1]]);
  });

  it('succeeds on a retry after a 5xx without counting anything', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), fetchRequest(receiver.url), { timers: instantTimers([]) });
    receiver.replies.push({ status: 503 });

    await transport.send(eventEnvelope());

    expect(receiver.envelopes).toHaveLength(2);
    expect(drops).toEqual([]);
  });

  it('does not retry a 5xx with retryOn5xx: false, nor a 400', async () => {
    const receiver = await startReceiver();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops, { retryOn5xx: false }), fetchRequest(receiver.url), {
      timers: instantTimers([]),
    });
    receiver.replies.push({ status: 500 }, { status: 400 });

    await transport.send(eventEnvelope());
    await transport.send(eventEnvelope());

    expect(receiver.envelopes).toHaveLength(2);
    expect(drops).toEqual([
      ['send_error', 'error', 1],
      ['send_error', 'error', 1],
    ]);
  });

  it('retries network failures with growing, capped delays, then counts network_error', async () => {
    const receiver = await startReceiver();
    const deadUrl = receiver.url;
    receiver.server.close();
    const drops: Drop[] = [];
    const delays: number[] = [];
    const calls = { count: 0 };
    const transport = createTransport(
      transportOptions(drops, { retry: { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 3_000 } }),
      fetchRequest(deadUrl, calls),
      { timers: instantTimers(delays), random: () => 1 },
    );

    await transport.send(eventEnvelope(makeEvent(), [sessionItem, reportItem]));

    expect(calls.count).toBe(5);
    expect(delays).toEqual([1_000, 2_000, 3_000, 3_000]);
    expect(drops).toEqual([
      ['network_error', 'error', 1],
      ['network_error', 'session', 1],
    ]);
  });

  it('writes sent_at when the request is made, not when the envelope was queued', async () => {
    const receiver = await startReceiver();
    let clock = Date.parse('2024-05-01T12:00:00.000Z');
    const transport = createTransport(transportOptions([]), fetchRequest(receiver.url), { now: () => clock });
    const release = deferred();
    receiver.replies.push({ hold: release.promise });

    const first = transport.send(eventEnvelope());
    const second = transport.send(eventEnvelope());
    clock = Date.parse('2024-05-01T12:05:00.000Z');
    release.resolve();
    await Promise.all([first, second]);

    expect(receiver.envelopes.map(([header]) => header.sent_at)).toEqual([
      '2024-05-01T12:00:00.000Z',
      '2024-05-01T12:05:00.000Z',
    ]);
  });

  it('keeps order at the receiver', async () => {
    const receiver = await startReceiver();
    const transport = createTransport(transportOptions([]), fetchRequest(receiver.url));
    const ids: string[] = [];
    const sends = Array.from({ length: 20 }, () => {
      const event = makeEvent();
      ids.push(event.event_id!);
      return transport.send(eventEnvelope(event));
    });
    await Promise.all(sends);
    expect(receiver.envelopes.map(([header]) => header.event_id)).toEqual(ids);
  });
});

describe('createTransport state machine', () => {
  /** A request function the test answers by hand, one request at a time. */
  function scriptedRequests() {
    const requests: Array<{ envelope: Envelope; respond: (response: TransportResponse) => void; fail: () => void }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const makeRequest: RequestExecutor = ({ body }) =>
      new Promise((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const settle = () => inFlight--;
        requests.push({
          envelope: parseEnvelope(body),
          respond: (response) => {
            settle();
            resolve(response);
          },
          fail: () => {
            settle();
            reject(new TypeError('fetch failed'));
          },
        });
      });
    return { requests, makeRequest, maxInFlight: () => maxInFlight };
  }

  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('sends one envelope at a time, in order, even when replies come slowly', async () => {
    const { requests, makeRequest, maxInFlight } = scriptedRequests();
    const transport = createTransport(transportOptions([]), makeRequest);
    const ids = Array.from({ length: 5 }, () => {
      const event = makeEvent();
      void transport.send(eventEnvelope(event));
      return event.event_id;
    });

    for (let i = 0; i < ids.length; i++) {
      await tick();
      expect(requests).toHaveLength(i + 1);
      requests[i]!.respond({ statusCode: 200 });
    }
    await transport.flush();
    expect(requests.map(({ envelope }) => envelope[0].event_id)).toEqual(ids);
    expect(maxInFlight()).toBe(1);
  });

  it('counts queue_overflow per item when the buffer is full, without serializing', async () => {
    const { requests, makeRequest } = scriptedRequests();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops, { bufferSize: 2 }), makeRequest);
    void transport.send(eventEnvelope());
    void transport.send(eventEnvelope());
    let serialized = false;
    const event = {
      toJSON: () => {
        serialized = true;
        return makeEvent();
      },
    };
    void transport.send(createEnvelope({}, [[{ type: 'event' }, event], attachmentItem, reportItem]));

    expect(drops).toEqual([
      ['queue_overflow', 'error', 1],
      ['queue_overflow', 'attachment', 1],
    ]);
    expect(serialized).toBe(false);
    await tick();
    expect(requests).toHaveLength(1);
  });

  it('always takes a client report, even when the buffer is full: it holds the count of what was dropped', async () => {
    const { requests, makeRequest } = scriptedRequests();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops, { bufferSize: 1 }), makeRequest);
    void transport.send(eventEnvelope());
    void transport.send(eventEnvelope());
    void transport.send(createEnvelope({}, [reportItem]));
    expect(drops).toEqual([['queue_overflow', 'error', 1]]);
    for (let i = 0; i < 2; i++) {
      await tick();
      requests.at(-1)!.respond({ statusCode: 200 });
    }
    await tick();
    expect(requests.map(({ envelope }) => envelope[1][0]![0].type)).toEqual(['event', 'client_report']);
  });

  it('counts queue_overflow when the queued bytes would pass maxQueueBytes', async () => {
    const { requests, makeRequest } = scriptedRequests();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops, { maxQueueBytes: 2_000 }), makeRequest);
    const big = makeEvent('x'.repeat(700));

    void transport.send(eventEnvelope(big));
    void transport.send(eventEnvelope(big));
    void transport.send(eventEnvelope(big));
    expect(drops).toEqual([['queue_overflow', 'error', 1]]);

    // Bytes are given back once an envelope is settled.
    await tick();
    requests[0]!.respond({ statusCode: 200 });
    await tick();
    void transport.send(eventEnvelope(big));
    expect(drops).toHaveLength(1);
  });

  it('flush resolves true once everything queued before it settled', async () => {
    const { requests, makeRequest } = scriptedRequests();
    const transport = createTransport(transportOptions([]), makeRequest);
    void transport.send(eventEnvelope());
    void transport.send(eventEnvelope());
    let flushed: boolean | undefined;
    void transport.flush().then((result) => (flushed = result));

    await tick();
    requests[0]!.respond({ statusCode: 200 });
    await tick();
    expect(flushed).toBeUndefined();
    requests[1]!.respond({ statusCode: 200 });
    await tick();
    expect(flushed).toBe(true);
  });

  it('flush resolves false at its timeout while a request hangs', async () => {
    const { makeRequest } = scriptedRequests();
    const { timers, fireAll } = manualTimers();
    const transport = createTransport(transportOptions([]), makeRequest, { timers });
    void transport.send(eventEnvelope());

    const flushed = transport.flush(2_000);
    fireAll();
    await expect(flushed).resolves.toBe(false);
  });

  it('flush waits for retries to finish', async () => {
    const { requests, makeRequest } = scriptedRequests();
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), makeRequest, { timers: instantTimers([]) });
    void transport.send(eventEnvelope());
    let flushed: boolean | undefined;
    void transport.flush().then((result) => (flushed = result));

    for (let i = 0; i < 3; i++) {
      await tick();
      expect(flushed).toBeUndefined();
      requests[i]!.fail();
    }
    await tick();
    expect(flushed).toBe(true);
    expect(drops).toEqual([['network_error', 'error', 1]]);
  });

  it('treats a response without a status as a network failure', async () => {
    const drops: Drop[] = [];
    let calls = 0;
    const transport = createTransport(
      transportOptions(drops),
      async () => {
        calls++;
        return {};
      },
      { timers: instantTimers([]) },
    );
    await transport.send(eventEnvelope());
    expect(calls).toBe(3);
    expect(drops).toEqual([['network_error', 'error', 1]]);
  });

  it('counts an item it cannot serialize as internal_sdk_error and sends the rest', async () => {
    const sent: Envelope[] = [];
    const drops: Drop[] = [];
    const transport = createTransport(transportOptions(drops), async ({ body }) => {
      sent.push(parseEnvelope(body));
      return { statusCode: 200 };
    });
    await transport.send(createEnvelope({}, [[{ type: 'event' }, { bad: 1n }], sessionItem]));
    expect(drops).toEqual([['internal_sdk_error', 'error', 1]]);
    expect(types(sent[0])).toEqual(['session']);
  });

  it('never throws nor rejects, whatever the platform and the callback do', async () => {
    const env: TransportEnv = { timers: instantTimers([]) };
    const throwing = createTransport(
      {
        url: 'unused',
        recordDroppedEvent: () => {
          throw new Error('callback bug');
        },
      },
      () => {
        throw new Error('sync throw');
      },
      env,
    );
    await expect(throwing.send(eventEnvelope())).resolves.toBeUndefined();
    await expect(throwing.send(undefined as unknown as Envelope)).resolves.toBeUndefined();
    await expect(throwing.send([{}, [[{ type: 'event' }, null]]] as Envelope)).resolves.toBeUndefined();
    await expect(throwing.flush()).resolves.toBe(true);
  });
});
