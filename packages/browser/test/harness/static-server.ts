// A tiny static server on 127.0.0.1 for test pages: another origin than the receiver, as in production.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

export interface StaticServer {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
};

/**
 * Serves `routes`: URL prefix -> directory. `/ping` answers 204, for fetch and XHR breadcrumbs. `rewrite`
 * may change a file's text before it is served (e.g. to put the bundle's integrity into a page).
 */
export async function startStaticServer(
  routes: Record<string, string>,
  rewrite: (file: string, text: string) => string = (_file, text) => text,
): Promise<StaticServer> {
  const server: Server = createServer(async (request, response) => {
    const { pathname, searchParams } = new URL(request.url ?? '/', 'http://localhost');
    // `?delay=<ms>` holds the answer back (a slow CDN, for the loader snippet).
    const delay = Number(searchParams.get('delay'));
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (pathname === '/ping') {
      response.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    }
    const prefix = Object.keys(routes).find((route) => pathname.startsWith(route));
    const file = prefix && path.join(routes[prefix]!, path.normalize(pathname.slice(prefix.length)));
    if (!file || !file.startsWith(routes[prefix!]!)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      const body = type.startsWith('text/') ? rewrite(file, readFileSync(file, 'utf8')) : readFileSync(file);
      // CORS so that `<script crossorigin>` (needed for integrity) loads the bundle.
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
