// Small pieces that server-side tests of the framework packages share: a server on a free loopback
// port, a barrier that holds requests until a number of them are in flight, and secrets a client sends
// that must never reach the receiver.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `listener` on 127.0.0.1 on a free port. */
export async function listen(listener: RequestListener | Server): Promise<RunningServer> {
  const server = typeof listener === 'function' ? createServer(listener) : listener;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once `count` callers are waiting, so that many requests are surely in flight together. */
export function barrier(count: number): () => Promise<void> {
  let waiting = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    waiting += 1;
    if (waiting >= count) open();
    return opened;
  };
}

/** Secrets a client sends; none of them may reach the receiver unless `sendDefaultPii` is set. */
export const SECRET_HEADERS = {
  cookie: 'session=cookie-secret-1',
  authorization: 'Bearer authorization-secret-2',
  'x-api-key': 'api-key-secret-3',
  'x-forwarded-for': '203.0.113.77',
};
export const SECRET_QUERY = 'password=query-secret-4&api_key=query-secret-5';
export const SECRET_VALUES = ['cookie-secret-1', 'authorization-secret-2', 'api-key-secret-3', '203.0.113.77', 'query-secret-4', 'query-secret-5'];
