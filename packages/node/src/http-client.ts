import type { Socket } from 'node:net';
import { ResponseReader, type ResponseHead } from './response-reader';

// The transport's HTTP/1.1 client: POSTs over kept-alive connections to the one server (or proxy) of a
// DSN. node:http costs about 350 µs of CPU per request on top of the socket (its request and response
// objects, streams and agent bookkeeping; profiled with one event per millisecond), more than building
// the event. Here a request is one corked write of bytes made up front and the response is read by
// response-reader.ts. One request at a time per connection, no pipelining (RFC 9112, 9.3.2).

export interface HttpClient {
  /** Sends `head` (request line and headers, up to the blank line) and `body`; resolves once the response is read. */
  send(head: string, body: Buffer, timeoutMs: number): Promise<ResponseHead>;
}

/** Opens a connection (to the server, a proxy, or a tunnel through one) ready for a request. */
export type Connector = () => Socket | Promise<Socket>;

interface Connection {
  socket: Socket;
  /** The response being read, while a request is in flight. */
  reading?: { reader: ResponseReader; settle(error?: Error): void };
  /** Whether it carried a request before the current one. */
  reused: boolean;
  /** Whether any byte of an answer to the last request arrived. */
  heard: boolean;
  closed: boolean;
}

/** An error where the server closed a connection it had kept alive; the request may not have reached it. */
class ClosedConnectionError extends Error {
  readonly code = 'ECONNRESET';
}

export function createHttpClient(connect: Connector, maxConnections = 8): HttpClient {
  const idle: Connection[] = [];
  const waiting: Array<() => void> = [];
  let open = 0;

  function watch(socket: Socket): Connection {
    const connection: Connection = { socket, reused: false, heard: false, closed: false };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const { reading } = connection;
      if (!reading) {
        // Bytes nobody asked for: the connection is out of step with the server.
        socket.destroy();
        return;
      }
      let complete: boolean;
      try {
        complete = reading.reader.push(chunk);
      } catch (error) {
        reading.settle(error as Error);
        return;
      }
      if (complete) reading.settle();
    });
    socket.on('end', () => {
      const { reading } = connection;
      if (reading?.reader.end()) reading.settle();
      else reading?.settle(new ClosedConnectionError('The server closed the connection before it answered'));
    });
    socket.on('error', (error) => connection.reading?.settle(error));
    socket.once('close', () => {
      connection.closed = true;
      open--;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      connection.reading?.settle(new ClosedConnectionError('The connection closed before the server answered'));
      waiting.shift()?.();
    });
    return connection;
  }

  async function acquire(fresh: boolean): Promise<Connection> {
    for (;;) {
      const kept = fresh ? undefined : idle.pop();
      if (kept) {
        kept.socket.ref();
        return kept;
      }
      if (open < maxConnections) {
        open++;
        let socket: Socket;
        try {
          socket = await connect();
        } catch (error) {
          open--;
          waiting.shift()?.();
          throw error;
        }
        return watch(socket);
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  function release(connection: Connection, reusable: boolean): void {
    if (!reusable || connection.closed) {
      connection.socket.destroy();
      return;
    }
    connection.reused = true;
    // An idle connection must not keep the process alive; a request in flight does (see acquire).
    connection.socket.unref();
    idle.push(connection);
    waiting.shift()?.();
  }

  function exchange(connection: Connection, head: string, body: Buffer, timeoutMs: number): Promise<ResponseHead> {
    return new Promise((resolve, reject) => {
      const reader = new ResponseReader();
      const timer = setTimeout(() => settle(new Error(`No response within ${timeoutMs} ms`)), timeoutMs);
      function settle(error?: Error): void {
        if (connection.reading?.reader !== reader) return;
        connection.reading = undefined;
        connection.heard = reader.started;
        clearTimeout(timer);
        if (error) {
          connection.socket.destroy();
          reject(error);
        } else {
          release(connection, reader.reusable);
          resolve(reader.head!);
        }
      }
      connection.reading = { reader, settle };
      const { socket } = connection;
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    });
  }

  return {
    async send(head, body, timeoutMs) {
      const connection = await acquire(false);
      const { reused } = connection;
      try {
        return await exchange(connection, head, body, timeoutMs);
      } catch (error) {
        // A kept-alive connection the server closed as it was reused (Node documents the same race for
        // its agent, `request.reusedSocket`): not an outage; once more on a new connection.
        if (!reused || connection.heard || !(error instanceof ClosedConnectionError || isReset(error))) throw error;
        return exchange(await acquire(true), head, body, timeoutMs);
      }
    },
  };
}

function isReset(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
