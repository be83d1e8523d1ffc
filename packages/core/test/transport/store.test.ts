import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { createEnvelope, parseEnvelope, type Envelope } from '../../src/envelope';
import { storeKey, type DroppedEnvelope, type EnvelopeStore, type StoredEnvelope } from '../../src/transport/store';
import { withSentAt } from '../../src/envelope-bytes';
import { createTransport, type RequestExecutor, type TransportOptions } from '../../src/transport/transport';
import type { DataCategory, DiscardReason, Event } from '../../src/types';

type Drop = [DiscardReason, DataCategory, number | undefined];

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

const endpoint = (r: Receiver): string => `${r.url}/api/1/envelope/?sentry_version=7&sentry_key=public`;

/** A real HTTP request over fetch; rejects when the server cannot be reached. */
function fetchRequest(url: string, count = { requests: 0 }): RequestExecutor {
  return async ({ body }) => {
    count.requests++;
    const response = await fetch(url, { method: 'POST', body: body as BodyInit });
    await response.arrayBuffer();
    return {
      statusCode: response.status,
      headers: { 'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'), 'retry-after': response.headers.get('retry-after') },
    };
  };
}

/** The store contract in memory, with a bound on the number of entries, and what it was asked. */
function memoryStore(maxEntries = Infinity) {
  const entries = new Map<string, StoredEnvelope>();
  const taken = new Set<string>();
  const sorted = () => [...entries.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const log: string[] = [];
  const pushSync = (entry: StoredEnvelope): DroppedEnvelope[] => {
    log.push(`push ${entry.key}`);
    entries.set(entry.key, entry);
    const dropped: DroppedEnvelope[] = [];
    for (const oldest of sorted()) {
      if (entries.size <= maxEntries) break;
      if (taken.has(oldest.key)) continue;
      entries.delete(oldest.key);
      dropped.push({ key: oldest.key, types: oldest.types });
    }
    return dropped;
  };
  const removeSync = (key: string): void => {
    log.push(`remove ${key}`);
    entries.delete(key);
    taken.delete(key);
  };
  const store: Required<EnvelopeStore> = {
    push: async (entry) => pushSync(entry),
    pushSync,
    take: async () => {
      const entry = sorted().find((candidate) => !taken.has(candidate.key));
      if (entry) taken.add(entry.key);
      return entry;
    },
    remove: async (key) => removeSync(key),
    removeSync,
    release: async (key) => {
      taken.delete(key);
    },
  };
  return { store, size: () => entries.size, entries: sorted, log };
}

let nextId = 0;
function eventEnvelope(message = 'boom'): Envelope {
  const event_id = (++nextId).toString(16).padStart(32, '0');
  const event: Event = {
    event_id,
    timestamp: Date.now() / 1000,
    platform: 'javascript',
    level: 'error',
    exception: { values: [{ type: 'Error', value: message, mechanism: { type: 'generic', handled: true } }] },
  };
  return createEnvelope({ event_id, sdk: { name: 'faultline.javascript.test', version: '0.0.0' } }, [[{ type: 'event' }, event]]);
}

function options(drops: Drop[], overrides: Partial<TransportOptions>): TransportOptions {
  return {
    url: 'unused',
    recordDroppedEvent: (reason, category, quantity) => drops.push([reason, category, quantity]),
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
    drainDelayMs: 10,
    ...overrides,
  };
}

const values = (r: Receiver): unknown[] => r.events().map((event) => event.exception?.values?.[0]?.value);

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('storeKey', () => {
  it('sorts in the order keys were made, also within one millisecond, and never repeats', () => {
    const keys = [storeKey(1000), storeKey(1000), storeKey(1000), storeKey(1001), storeKey(1_700_000_000_000)];
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[0-9a-z-]+$/);
  });
});

describe('withSentAt', () => {
  it('rewrites sent_at in the header of a text or byte envelope and leaves the items alone', () => {
    const text = '{"event_id":"abc","sent_at":"2020-01-01T00:00:00.000Z"}\n{"type":"event","length":2}\n{}';
    const at = Date.parse('2024-05-01T12:00:00.000Z');
    const rewritten = withSentAt(text, at) as string;
    expect(parseEnvelope(rewritten)[0]).toEqual({ event_id: 'abc', sent_at: '2024-05-01T12:00:00.000Z' });
    expect(rewritten.slice(rewritten.indexOf('\n'))).toBe(text.slice(text.indexOf('\n')));
    const bytes = withSentAt(new TextEncoder().encode(text), at) as Uint8Array;
    expect(new TextDecoder().decode(bytes)).toBe(rewritten);
    expect(withSentAt('not json\n{}', at)).toBe('not json\n{}');
  });
});

describe('createTransport with a store', () => {
  it('keeps what an outage stops, goes offline, and delivers all of it in order once the server is back', async () => {
    const server = await receiver();
    await server.down();
    const drops: Drop[] = [];
    const memory = memoryStore();
    const count = { requests: 0 };
    const transport = createTransport(options(drops, { store: memory.store }), fetchRequest(endpoint(server), count));

    await Promise.all(Array.from({ length: 10 }, (_, i) => transport.send(eventEnvelope(`outage ${i}`))));
    await transport.flush();
    expect(memory.size()).toBe(10);
    // Only the first envelope tried (twice); the others went straight to the store.
    const triedWhileDown = count.requests;
    expect(triedWhileDown).toBeLessThan(10);

    await server.up();
    await until(() => server.events().length === 10 && memory.size() === 0);
    expect(values(server)).toEqual(Array.from({ length: 10 }, (_, i) => `outage ${i}`));
    expect(drops).toEqual([]);
    expect(server.violations()).toEqual([]);
  });

  it('writes sent_at when a stored envelope is sent, not when it was stored', async () => {
    const server = await receiver();
    await server.down();
    let clock = Date.parse('2024-05-01T12:00:00.000Z');
    const memory = memoryStore();
    const transport = createTransport(options([], { store: memory.store }), fetchRequest(endpoint(server)), { now: () => clock });
    await transport.send(eventEnvelope());
    await transport.flush();
    expect(memory.size()).toBe(1);
    clock = Date.parse('2024-05-01T13:00:00.000Z');
    await server.up();
    await until(() => server.envelopes().length === 1);
    expect(server.envelopes()[0]!.header.sent_at).toBe('2024-05-01T13:00:00.000Z');
  });

  it('treats a 5xx like an outage, and gives up a stored envelope the server keeps failing on', async () => {
    const server = await receiver();
    const drops: Drop[] = [];
    const memory = memoryStore();
    const transport = createTransport(options(drops, { store: memory.store }), fetchRequest(endpoint(server)));
    server.respond({ status: 503, times: 2 + 2 });

    await transport.send(eventEnvelope('poison'));
    await transport.flush();
    expect(memory.size()).toBe(1);
    await until(() => memory.size() === 0);
    expect(drops).toEqual([['send_error', 'error', 1]]);

    await transport.send(eventEnvelope('fine'));
    await until(() => server.events().length === 1);
    expect(values(server)).toEqual(['fine']);
  });

  it('removes a stored envelope the server refuses, counting send_error', async () => {
    const server = await receiver();
    await server.down();
    const drops: Drop[] = [];
    const memory = memoryStore();
    const transport = createTransport(options(drops, { store: memory.store }), fetchRequest(endpoint(server)));
    await transport.send(eventEnvelope('refused'));
    server.respond({ status: 400 });
    await server.up();
    await until(() => memory.size() === 0);
    expect(drops).toEqual([['send_error', 'error', 1]]);
    expect(server.events()).toEqual([]);
  });

  it('spills a full queue to the store instead of dropping, and sends it all, in order, before flush resolves', async () => {
    const server = await receiver();
    const drops: Drop[] = [];
    const memory = memoryStore();
    const transport = createTransport(options(drops, { store: memory.store, bufferSize: 4 }), fetchRequest(endpoint(server)));

    for (let i = 0; i < 50; i++) void transport.send(eventEnvelope(`burst ${i}`));
    // Flush waits for what went to the store too, while the server takes it.
    expect(await transport.flush(5_000)).toBe(true);
    expect(server.events()).toHaveLength(50);
    expect(drops).toEqual([]);
    expect(values(server)).toEqual(Array.from({ length: 50 }, (_, i) => `burst ${i}`));
    expect(memory.size()).toBe(0);
  });

  it('keeps capture order when the server comes back while the store still holds this run’s envelopes', async () => {
    const server = await receiver();
    await server.down();
    const memory = memoryStore();
    const transport = createTransport(options([], { store: memory.store }), fetchRequest(endpoint(server)));
    for (let i = 0; i < 5; i++) void transport.send(eventEnvelope(`order ${i}`));
    await transport.flush();
    await server.up();
    for (let i = 5; i < 10; i++) void transport.send(eventEnvelope(`order ${i}`));
    await until(() => server.events().length === 10);
    expect(values(server)).toEqual(Array.from({ length: 10 }, (_, i) => `order ${i}`));
  });

  it('counts what the store drops to stay in its bounds as cache_overflow', async () => {
    const server = await receiver();
    await server.down();
    const drops: Drop[] = [];
    const memory = memoryStore(3);
    const transport = createTransport(options(drops, { store: memory.store }), fetchRequest(endpoint(server)));
    await Promise.all(Array.from({ length: 5 }, (_, i) => transport.send(eventEnvelope(`kept? ${i}`))));
    expect(drops).toEqual([
      ['cache_overflow', 'error', 1],
      ['cache_overflow', 'error', 1],
    ]);
    await server.up();
    await until(() => server.events().length === 3);
    expect(values(server)).toEqual(['kept? 2', 'kept? 3', 'kept? 4']);
  });

  it('sends what the store held at start, waiting while its category is rate limited', async () => {
    const server = await receiver();
    const memory = memoryStore();
    for (let i = 0; i < 3; i++) {
      const [header, [[itemHeader, event]]] = eventEnvelope(`earlier run ${i}`) as [object, [[object, object]]];
      const body = [header, itemHeader, event].map((part) => JSON.stringify(part)).join('\n');
      memory.store.pushSync({ key: storeKey(Date.now()), body, types: ['event'] });
    }
    server.respond({ status: 200, headers: { 'X-Sentry-Rate-Limits': '0.3:error:organization' } });
    const drops: Drop[] = [];
    const transport = createTransport(options(drops, { store: memory.store, drainDelayMs: 60_000 }), fetchRequest(endpoint(server)));

    await transport.send(eventEnvelope('opens the window'));
    // Live errors during the limit are dropped and counted; stored ones wait for it to end.
    await transport.send(eventEnvelope('live, limited'));
    expect(drops).toEqual([['ratelimit_backoff', 'error', 1]]);
    await until(() => server.events().length === 4 && memory.size() === 0);
    const [first, ...stored] = server.envelopes();
    for (const envelope of stored) expect(envelope.receivedAt).toBeGreaterThanOrEqual(first!.receivedAt + 300);
    expect(values(server)).toEqual(['opens the window', 'earlier run 0', 'earlier run 1', 'earlier run 2']);
  });

  it('before exit writes every unsent envelope at once, and removes the ones delivered after all', async () => {
    const server = await receiver();
    const memory = memoryStore();
    server.respond({ delayMs: 100 });
    const transport = createTransport(options([], { store: memory.store }), fetchRequest(endpoint(server)));
    const first = transport.send(eventEnvelope('in flight'));
    const second = transport.send(eventEnvelope('queued'));

    transport.prepareForExit!();
    expect(memory.size()).toBe(2);
    const third = transport.send(eventEnvelope('after'));
    expect(memory.size()).toBe(3);

    await Promise.all([first, second, third]);
    expect(values(server)).toEqual(['in flight', 'queued', 'after']);
    expect(memory.size()).toBe(0);
    expect(memory.log.filter((line) => line.startsWith('push'))).toHaveLength(3);
  });

  it('before exit while the server is down keeps everything stored without waiting on it', async () => {
    const server = await receiver();
    await server.down();
    const memory = memoryStore();
    const transport = createTransport(options([], { store: memory.store, retry: { attempts: 3, baseDelayMs: 500 } }), fetchRequest(endpoint(server)));
    void transport.send(eventEnvelope('stuck in retries'));
    void transport.send(eventEnvelope('waiting behind it'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(memory.size()).toBe(0);
    transport.prepareForExit!();
    expect(memory.entries().map((entry) => (parseEnvelope(entry.body)[1][0]![1] as Event).exception!.values[0]!.value)).toEqual([
      'stuck in retries',
      'waiting behind it',
    ]);
  });
});
