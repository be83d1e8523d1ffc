import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/http-client';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Server {
  port: number;
  /** Connections the server accepted so far. */
  connections: number;
  /** Connections closed on both sides so far. */
  closed: number;
  /** Request bodies, in arrival order. */
  bodies: string[];
}

async function listen(server: net.Server, record: Server): Promise<Server> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    record.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      record.closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  record.port = (server.address() as AddressInfo).port;
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return record;
}

/** A node:http server; `answer` writes the response. */
function httpServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Server> {
  const record: Server = { port: 0, connections: 0, closed: 0, bodies: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      record.bodies.push(body);
      answer(req, res);
    });
  });
  return listen(server, record);
}

/** A raw TCP server that answers each request's bytes with `answer` (for what node:http would not send). */
function rawServer(answer: (socket: net.Socket, request: number) => void): Promise<Server> {
  const record: Server = { port: 0, connections: 0, closed: 0, bodies: [] };
  const server = net.createServer((socket) => {
    socket.setEncoding('latin1');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const match = /\r\n\r\n/.exec(buffered);
      const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? 0);
      if (!match || buffered.length < match.index + 4 + length) return;
      record.bodies.push(buffered.slice(match.index + 4, match.index + 4 + length));
      buffered = '';
      answer(socket, record.bodies.length);
    });
  });
  return listen(server, record);
}

function client(port: number, maxConnections?: number) {
  const http1 = createHttpClient(() => net.connect({ host: '127.0.0.1', port }), maxConnections);
  return (body: string) => http1.send(`POST /e HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${body.length}\r\n\r\n`, Buffer.from(body), 5000);
}

describe('createHttpClient', () => {
  it('reads chunked answers and sends the next request on the same connection', async () => {
    const server = await httpServer((_, res) => {
      res.write('{"id":');
      res.end('"1"}');
    });
    const send = client(server.port);
    expect((await send('a')).statusCode).toBe(200);
    expect((await send('b')).statusCode).toBe(200);
    expect(server).toMatchObject({ connections: 1, bodies: ['a', 'b'] });
  });

  it('takes an answer that runs to the close and opens a new connection for the next request', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.1 202 Accepted\r\n\r\nno length here'));
    const send = client(server.port);
    expect((await send('a')).statusCode).toBe(202);
    expect((await send('b')).statusCode).toBe(202);
    expect(server).toMatchObject({ connections: 2, bodies: ['a', 'b'] });
  });

  it('opens a new connection once the server closed an idle one, without an error or a repeat', async () => {
    // As a server's keep-alive timeout does: the connection is closed once it has been idle a while.
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      setTimeout(() => socket.end(), 20);
    });
    const send = client(server.port);
    await send('a');
    await expect.poll(() => server.closed).toBe(1);
    expect((await send('b')).statusCode).toBe(200);
    expect(server).toMatchObject({ connections: 2, bodies: ['a', 'b'] });
  });

  it('sends at most maxConnections requests at once and answers all of them', async () => {
    let inFlight = 0;
    let most = 0;
    const server = await httpServer((_, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end();
      }, 100);
    });
    const send = client(server.port, 3);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(String(i))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    expect(most).toBe(3);
    expect(server.connections).toBe(3);
    expect([...server.bodies].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('rejects what is not an HTTP response and drops the connection', async () => {
    const server = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    const send = client(server.port);
    await expect(send('a')).rejects.toThrow(/Not an HTTP\/1.x response/);
    await expect(send('b')).rejects.toThrow(/Not an HTTP\/1.x response/);
    expect(server.connections).toBe(2);
  });

  it('drops a connection the server writes to unasked, and sends the next request on a new one', async () => {
    const server = await rawServer((socket, request) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      if (request === 1) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 10);
    });
    const send = client(server.port);
    await send('a');
    // The client drops the connection on the stray bytes: the server sees it closed.
    await expect.poll(() => server.closed).toBe(1);
    expect((await send('b')).statusCode).toBe(200);
    expect(server).toMatchObject({ connections: 2, bodies: ['a', 'b'] });
  });

  it('does not send again when the server began to answer before the connection broke', async () => {
    const server = await rawServer((socket, request) => {
      if (request === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
        setTimeout(() => socket.destroy(), 10);
      }
    });
    const send = client(server.port);
    await send('a');
    await expect(send('b')).rejects.toThrow(/closed/);
    expect(server.bodies).toEqual(['a', 'b']);
  });
});
