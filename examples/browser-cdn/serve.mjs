// Serves index.html and the locally built CDN bundle on 127.0.0.1:8080 (`npm run build` at the
// repository root builds the bundle). Open http://127.0.0.1:8080/?dsn=<your DSN>, for example the one
// `npx faultline-inbox` prints.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));
const bundles = fileURLToPath(new URL('../../packages/browser/build/bundles/', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
const port = Number(process.env.PORT ?? 8080);

createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = path.startsWith('/faultline.') ? join(bundles, normalize(path)) : join(root, normalize(path === '/' ? 'index.html' : path));
  try {
    if (!file.startsWith(root) && !file.startsWith(bundles)) throw new Error('outside');
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': `${types[extname(file)] ?? 'application/octet-stream'}; charset=utf-8` }).end(body);
  } catch {
    response.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/?dsn=<your DSN>`));
