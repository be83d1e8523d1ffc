import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope } from '@faultline/core';
import { startReceiver } from '@faultline/testkit';
import { makeNodeTransport } from '@faultline/node';
import { createNodeRequestExecutor, defaultSpoolDir, spoolFor } from '../src/transport';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tls = {
  cert: readFileSync(join(__dirname, 'fixtures/localhost-cert.pem')),
  key: readFileSync(join(__dirname, 'fixtures/localhost-key.pem')),
};

/** A server that records each request and answers with `answer`. */
async function startServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_, res) => res.end(),
  secure = false,
): Promise<{ url: string; received: Received[]; sockets: Set<net.Socket> }> {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      answer(req, res);
    });
  };
  const server = secure ? https.createServer(tls, handler) : http.createServer(handler);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, received, sockets };
}

/** A forward proxy: absolute-URL requests for http targets, CONNECT tunnels for https ones. */
async function startProxy(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    seen.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    cleanups.push(() => {
      upstream.destroy();
      client.destroy();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => proxy.close(resolve)));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

const noDrops = (): void => undefined;

describe('Node request executor', () => {
  it('POSTs the envelope as application/x-sentry-envelope, with the extra headers', async () => {
    const server = await startServer();
    const send = createNodeRequestExecutor({ url: `${server.url}/api/1/envelope/?sentry_key=k`, recordDroppedEvent: noDrops, headers: { 'x-extra': 'yes' } }, {});
    const body = '{"event_id":"x"}\n{"type":"event"}\n{"message":"é"}';
    const response = await send({ body });
    expect(response.statusCode).toBe(200);
    expect(server.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/api/1/envelope/?sentry_key=k',
        headers: expect.objectContaining({ 'content-type': 'application/x-sentry-envelope', 'content-length': String(Buffer.byteLength(body)), 'x-extra': 'yes' }),
      }),
    ]);
    expect(server.received[0]!.headers['content-encoding']).toBeUndefined();
    expect(server.received[0]!.body.toString()).toBe(body);
  });

  it('leaves out extra headers that could end the head early or smuggle another header', async () => {
    const server = await startServer();
    const headers = { 'x-good': 'yes', 'x-bad': 'a\r\nx-smuggled: 1', 'bad name': 'b', 'Content-Length': '1' };
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops, headers }, {});
    expect((await send({ body: 'hello' })).statusCode).toBe(200);
    const [request] = server.received;
    expect(request!.headers).toMatchObject({ 'x-good': 'yes', 'content-length': '5' });
    expect(Object.keys(request!.headers)).not.toContain('x-smuggled');
    expect(Object.keys(request!.headers)).not.toContain('x-bad');
    expect(request!.body.toString()).toBe('hello');
  });

  it('gzips bodies over 32 KiB', async () => {
    const server = await startServer();
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, {});
    const big = `{}\n{"type":"attachment"}\n${'x'.repeat(40 * 1024)}`;
    await send({ body: new TextEncoder().encode(big) });
    const [request] = server.received;
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(Number(request!.headers['content-length'])).toBe(request!.body.length);
    expect(request!.body.length).toBeLessThan(big.length / 10);
    expect(gunzipSync(request!.body).toString()).toBe(big);
  });

  it('hands back the status and the rate-limit headers', async () => {
    const server = await startServer((_, res) => {
      res.writeHead(429, { 'x-sentry-rate-limits': '60:error:key', 'retry-after': '30' });
      res.end('slow down');
    });
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, {});
    expect(await send({ body: 'x' })).toEqual({ statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error:key', 'retry-after': '30' } });
  });

  it('aborts a request that gets no answer in time, closing the connection', async () => {
    const server = await startServer(() => undefined);
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops, timeoutMs: 50 }, {});
    await expect(send({ body: 'x' })).rejects.toThrow(/No response within 50 ms/);
    await expect.poll(() => server.sockets.size).toBe(0);
  });

  it('rejects when the server cannot be reached', async () => {
    const server = await startServer();
    const url = `${server.url}/e`;
    await cleanups.pop()!();
    const send = createNodeRequestExecutor({ url, recordDroppedEvent: noDrops }, {});
    await expect(send({ body: 'x' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reuses one connection and leaves it unref-ed between requests, so it keeps no process alive', async () => {
    const server = await startServer();
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, {});
    await send({ body: 'a' });
    // Our side of the server's connections must not count either.
    for (const socket of server.sockets) socket.unref();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await send({ body: 'b' });
    for (const socket of server.sockets) socket.unref();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    expect(server.sockets.size).toBe(1);
    expect(after).toBe(before);
  });

  it('tries once more on a new connection when the server closed the kept-alive one it reused', async () => {
    let requests = 0;
    const server = await startServer((req, res) => {
      // The second request on the first connection meets a connection closed under it.
      if (++requests === 2) req.socket.destroy();
      else res.end();
    });
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, {});
    expect((await send({ body: 'a' })).statusCode).toBe(200);
    expect((await send({ body: 'b' })).statusCode).toBe(200);
    expect(server.received.map((r) => r.body.toString())).toEqual(['a', 'b', 'b']);
  });

  it('trusts the CA certificates given for https', async () => {
    const server = await startServer(undefined, true);
    const trusting = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops, caCerts: tls.cert }, {});
    expect((await trusting({ body: 'x' })).statusCode).toBe(200);
    const strict = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, {});
    await expect(strict({ body: 'x' })).rejects.toThrow(/self.signed/i);
  });
});

describe('Node request executor through a proxy', () => {
  it('sends http requests to the proxy with the absolute URL and proxy credentials', async () => {
    const server = await startServer();
    const proxy = await startProxy();
    const proxyUrl = proxy.url.replace('http://', 'http://user:p%40ss@');
    const send = createNodeRequestExecutor({ url: `${server.url}/api/1/envelope/?k=1`, recordDroppedEvent: noDrops, proxy: proxyUrl }, {});
    expect((await send({ body: 'x' })).statusCode).toBe(200);
    expect(proxy.seen).toEqual([`POST ${server.url}/api/1/envelope/?k=1 Basic ${Buffer.from('user:p@ss').toString('base64')}`]);
    expect(server.received.map((r) => r.url)).toEqual(['/api/1/envelope/?k=1']);
  });

  it('connects to the proxy, not to the host of the target', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => proxy.close(resolve)));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const send = createNodeRequestExecutor({ url: 'http://sentry.invalid:9000/api/1/envelope/', recordDroppedEvent: noDrops, proxy: proxyUrl }, {});
    expect((await send({ body: 'x' })).statusCode).toBe(200);
    expect(seen).toEqual(['POST http://sentry.invalid:9000/api/1/envelope/']);
  });

  it('tunnels https requests with CONNECT, taking the proxy from HTTPS_PROXY', async () => {
    const server = await startServer(undefined, true);
    const proxy = await startProxy();
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops, caCerts: tls.cert }, { HTTPS_PROXY: proxy.url });
    expect((await send({ body: 'one' })).statusCode).toBe(200);
    expect((await send({ body: 'two' })).statusCode).toBe(200);
    expect(proxy.seen).toEqual([`CONNECT ${new URL(server.url).host}`]);
    expect(server.received.map((r) => r.body.toString())).toEqual(['one', 'two']);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const server = await startServer();
    const proxy = await startProxy();
    const send = createNodeRequestExecutor({ url: `${server.url}/e`, recordDroppedEvent: noDrops }, { http_proxy: proxy.url, no_proxy: 'example.com,127.0.0.1' });
    expect((await send({ body: 'x' })).statusCode).toBe(200);
    expect(proxy.seen).toEqual([]);
  });
});

describe('makeNodeTransport', () => {
  it('delivers envelopes to a Sentry receiver', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const url = `${receiver.url}/api/3/envelope/?sentry_version=7&sentry_key=public&sentry_client=test%2F1`;
    const transport = makeNodeTransport({ url, recordDroppedEvent: noDrops }, {});
    const event = { event_id: 'b'.repeat(32), timestamp: Date.now() / 1000, platform: 'node', logentry: { message: 'hi' } };
    await transport.send(createEnvelope({ event_id: event.event_id, sdk: { name: 'test', version: '1' } }, [[{ type: 'event' }, event]]));
    expect(await transport.flush(1000)).toBe(true);
    expect(receiver.events().map((e) => e.event_id)).toEqual([event.event_id]);
    expect(receiver.violations()).toEqual([]);
  });
});

describe('the spool of the Node transport', () => {
  it('is a folder per OS user and DSN under the temp dir, the same whatever the SDK version', () => {
    const url = (key: string, client: string) => `https://o1.ingest.example.com/api/7/envelope/?sentry_version=7&sentry_key=${key}&sentry_client=${client}`;
    const dir = defaultSpoolDir(url('abc', 'faultline.javascript.node%2F0.1.0'), '/tmp', 1000);
    expect(dir).toMatch(/^\/tmp\/faultline-spool-1000\/[0-9a-f]{16}$/);
    expect(defaultSpoolDir(url('abc', 'faultline.javascript.node%2F0.2.0'), '/tmp', 1000)).toBe(dir);
    expect(defaultSpoolDir(url('other', 'faultline.javascript.node%2F0.1.0'), '/tmp', 1000)).not.toBe(dir);
    expect(defaultSpoolDir(url('abc', 'faultline.javascript.node%2F0.1.0'), '/tmp', 1001)).not.toBe(dir);
  });

  it('sends what overflows the queue while the server answers without writing it to disk', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'faultline-node-transport-'));
    const dir = join(parent, 'spool');
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const url = `${receiver.url}/api/3/envelope/?sentry_version=7&sentry_key=public&sentry_client=test%2F1`;
    const transport = makeNodeTransport({ url, recordDroppedEvent: noDrops, spoolDir: dir, bufferSize: 2 }, {});
    const ids = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(32, '0'));
    for (const id of ids) {
      const event = { event_id: id, timestamp: Date.now() / 1000, platform: 'node', logentry: { message: 'burst' } };
      void transport.send(createEnvelope({ event_id: id }, [[{ type: 'event' }, event]]));
    }
    expect(await transport.flush(5000)).toBe(true);
    expect(receiver.events().map((e) => e.event_id)).toEqual(ids);
    expect(existsSync(dir)).toBe(false);
  });

  it('works out its default folder under the temp dir when first used, not when made', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'faultline-node-transport-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const asked: string[] = [];
    const url = 'http://public@127.0.0.1:9/api/1/envelope/?sentry_key=public';
    const tempDir = (): string => {
      asked.push('tmpdir');
      return parent;
    };
    const spool = spoolFor({ url, recordDroppedEvent: noDrops }, tempDir)!;
    expect(asked).toEqual([]);
    spool.pushSync({ key: '000000001-000001-test00', body: '{}\n{"type":"event"}\n{}', types: ['event'] });
    expect(asked).toEqual(['tmpdir']);
    expect(readdirSync(defaultSpoolDir(url, parent))).toHaveLength(1);
  });

  it('is off with spoolDir: false', () => {
    expect(spoolFor({ url: 'http://public@127.0.0.1/1', recordDroppedEvent: noDrops, spoolDir: false })).toBeUndefined();
  });

  it('keeps what a dead server did not take, and it is sent once the server is back, also by a transport started later on the same folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'faultline-node-transport-'));
    const dir = join(parent, 'spool');
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const url = `${receiver.url}/api/3/envelope/?sentry_version=7&sentry_key=public&sentry_client=test%2F1`;
    const options = { url, recordDroppedEvent: noDrops, spoolDir: dir, retry: { attempts: 1 }, drainDelayMs: 10 };
    const event = { event_id: 'c'.repeat(32), timestamp: Date.now() / 1000, platform: 'node', logentry: { message: 'kept' } };
    const first = makeNodeTransport(options, {});
    await first.send(createEnvelope({ event_id: event.event_id }, [[{ type: 'event' }, event]]));
    await first.flush(1000);
    expect(readdirSync(dir)).toHaveLength(1);

    await receiver.up();
    makeNodeTransport(options, {});
    await receiver.waitForEvents(1);
    expect(receiver.events().map((e) => e.event_id)).toEqual([event.event_id]);
  });
});

describe('start-up of the Node transport', () => {
  it('reads nothing and makes nothing until it first sends or an earlier run\'s envelopes are due', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const read: string[] = [];
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_, name) => void read.push(String(name)),
    });
    const url = `${receiver.url}/api/3/envelope/?sentry_version=7&sentry_key=public&sentry_client=test%2F1`;
    const transport = makeNodeTransport({ url, recordDroppedEvent: noDrops, spoolDir: false }, env);
    expect(await transport.flush(100)).toBe(true);
    expect(read).toEqual([]);
    const event = { event_id: 'd'.repeat(32), timestamp: Date.now() / 1000, platform: 'node', logentry: { message: 'first' } };
    await transport.send(createEnvelope({ event_id: event.event_id }, [[{ type: 'event' }, event]]));
    expect(read).toContain('http_proxy');
    expect(receiver.events().map((e) => e.event_id)).toEqual([event.event_id]);
  });

  it('loads no network, compression or promise-based fs module until it sends', () => {
    const dist = join(__dirname, '../dist/cjs/index.cjs');
    const script = `
      const before = new Set(process.moduleLoadList);
      const { makeNodeTransport } = require(${JSON.stringify(dist)});
      makeNodeTransport({ url: 'http://127.0.0.1:9/api/1/envelope/', recordDroppedEvent() {} });
      console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    for (const name of ['http', 'https', 'zlib', 'tls', 'fs/promises']) expect(loaded).not.toContain(`NativeModule ${name}`);
  });
});
