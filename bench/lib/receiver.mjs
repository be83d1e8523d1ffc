// A bare receiver on 127.0.0.1 for every SDK's wire format: it reads the body, answers what each SDK
// expects, and counts. No validation and no storage, so its cost stays small and the same for all.
// Events are told apart by the token each benchmark error carries in its message: `FLB<phase>N<i>Z`.
import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';


export function startReceiver() {
  let phases = new Map();
  let requests = 0;
  let lastRequestAt = 0;

  function phase(name) {
    let entry = phases.get(name);
    if (!entry) phases.set(name, (entry = { events: 0, distinct: new Set() }));
    return entry;
  }

  function count(url, body) {
    for (const message of eventMessages(url, body.toString('utf8'))) {
      const match = /FLB([a-z]+)N(\d+)Z/.exec(message);
      if (!match) continue;
      const entry = phase(match[1]);
      entry.events++;
      entry.distinct.add(match[2]);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      lastRequestAt = performance.now();
      try {
        let body = Buffer.concat(chunks);
        const encoding = req.headers['content-encoding'];
        if (encoding === 'gzip') body = gunzipSync(body);
        else if (encoding === 'deflate') body = inflateSync(body);
        count(req.url ?? '', body);
      } catch {
        // a body we cannot read is still answered; it just does not count
      }
      reply(req, res);
    });
  });
  server.keepAliveTimeout = 5_000;

  // @honeybadger-io/js drops the port of its endpoint (it requests `hostname` + `path` only), so it can
  // only reach a receiver on port 80; the same handler listens there too when this process may.
  const port80 = http.createServer(server.listeners('request')[0]);
  const listen80 = new Promise((resolve) => {
    port80.once('error', () => resolve(false));
    port80.listen({ port: 80, host: '127.0.0.1', backlog: 4096 }, () => resolve(true));
  });

  return new Promise((resolve) => {
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, async () => {
      const { port } = server.address();
      const hasPort80 = await listen80;
      resolve({
        port,
        /** Whether port 80 is served too (the only port Honeybadger can send to). */
        hasPort80,
        /** Forgets every count (between runs). */
        reset() {
          phases = new Map();
          requests = 0;
          lastRequestAt = performance.now();
        },
        received(name) {
          const entry = phases.get(name);
          return { events: entry?.events ?? 0, distinct: entry?.distinct.size ?? 0 };
        },
        requests: () => requests,
        /**
         * Resolves once `expected` events of the phase arrived, or nothing arrived for `idleMs` after
         * the last request; before the first request the wait is `firstMs` (some SDKs build every
         * payload before sending any).
         */
        async settle(name, { expected, idleMs = 750, firstMs = idleMs, maxMs = 30_000 } = {}) {
          const started = performance.now();
          const requestsBefore = requests;
          for (;;) {
            const now = performance.now();
            if (expected !== undefined && this.received(name).events >= expected) break;
            const idle = requests === requestsBefore ? now - started >= firstMs : now - lastRequestAt >= idleMs;
            if (idle || now - started >= maxMs) break;
            await new Promise((r) => setTimeout(r, 25));
          }
          return this.received(name);
        },
        close: () =>
          Promise.all(
            [server, ...(hasPort80 ? [port80] : [])].map(
              (s) => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); }),
            ),
          ),
      });
    });
  });
}

function reply(req, res) {
  const url = req.url ?? '';
  // Browsers post cross-origin from the benchmark page.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', '*');
  if (req.method === 'OPTIONS') return void res.writeHead(204).end();
  res.setHeader('Content-Type', 'application/json');
  if (url.includes('/rollbar/')) return void res.end('{"err":0,"result":{"id":null,"uuid":"00000000000000000000000000000000"}}');
  if (url.includes('/honeybadger/')) return void res.writeHead(201).end('{"id":"00000000-0000-0000-0000-000000000000"}');
  if (url.includes('/bugsnag/')) return void res.writeHead(202).end('{}');
  res.end('{}');
}

/**
 * The message of each event a request carries, read where each wire format keeps the error itself
 * (not its breadcrumbs: Honeybadger's carry the messages of earlier notices). Not an event: none.
 */
function eventMessages(url, text) {
  if (url.includes('/envelope/')) {
    const lines = text.split('\n');
    const messages = [];
    for (let i = 1; i + 1 < lines.length; i += 2) {
      if (!lines[i].includes('"type":"event"')) continue;
      const values = JSON.parse(lines[i + 1]).exception?.values ?? [];
      messages.push(String(values.at(-1)?.value ?? ''));
    }
    return messages;
  }
  if (url.includes('/bugsnag/notify')) return JSON.parse(text).events.map((e) => String(e.exceptions?.[0]?.message ?? ''));
  if (url.includes('/rollbar/')) {
    const body = JSON.parse(text).data?.body ?? {};
    const trace = body.trace ?? body.trace_chain?.[0];
    return [String(trace?.exception?.message ?? body.message?.body ?? '')];
  }
  if (url.includes('/honeybadger/') && url.includes('notices')) return [String(JSON.parse(text).error?.message ?? '')];
  return [];
}
