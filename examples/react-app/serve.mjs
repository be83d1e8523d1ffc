// Serves the example (index.html and the rollup build in dist/) on 127.0.0.1:8082.
// Events go to the local inbox (`npx faultline-inbox`, port 8969) unless the page is opened with
// ?dsn=<your DSN>.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
const port = Number(process.env.PORT ?? 8082);

createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = join(root, normalize(path === '/' ? 'index.html' : path));
  try {
    if (!file.startsWith(root)) throw new Error('outside');
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': `${types[extname(file)] ?? 'application/octet-stream'}; charset=utf-8` }).end(body);
  } catch {
    response.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`));
