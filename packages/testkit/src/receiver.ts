import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAuth, readDsn } from './auth';
import { decodeBody, readBody } from './body';
import { sumDiscarded, validateClientReport, type ClientReport } from './client-report';
import { isEventId, isObject, readEnvelope, type EnvelopeItemRecord } from './envelope';
import type { SentryEvent } from './event';
import { createFaultQueue, type Fault } from './faults';
import { formatEventLine, formatSummary } from './format';
import { groupEvents } from './grouping';
import { validateEvent } from './validate-event';
import type { Violation } from './violation';

/** Relay's limit for a whole (compressed or not) request body. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;
// A DSN may carry a path before /api/ (https://develop.sentry.dev/sdk/overview/#parsing-the-dsn).
const INGEST_PATH = /^(?:\/.*)?\/api\/([^/]+)\/(envelope|store)\/?$/;
const TUNNEL_PATH = /^\/tunnel\/?$/;
// Every answer carries these, so that pages on another origin can post and read the rate limits.
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-sentry-rate-limits, retry-after',
};

export interface ReceiverOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Called with each event as it is recorded. */
  onEvent?: (event: SentryEvent) => void;
  /** Called with each violation as it is recorded. */
  onViolation?: (violation: Violation) => void;
}

export type ReceivedItem = EnvelopeItemRecord;

export interface ReceivedEnvelope {
  header: Record<string, unknown>;
  items: ReceivedItem[];
  /** The body after `Content-Encoding` was undone. */
  raw: Buffer;
  projectId: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The status answered; 0 when the connection was reset instead. */
  status: number;
  /** Body bytes as sent (before decompression). */
  bytes: number;
  receivedAt: number;
}

export interface Receiver {
  /** e.g. `http://127.0.0.1:54321` */
  readonly url: string;
  readonly port: number;
  /** `http://public@127.0.0.1:<port>/<projectId>` */
  dsn(projectId?: number | string, publicKey?: string): string;
  /** Payloads of every `event` item (and legacy store request), in arrival order. */
  events(): SentryEvent[];
  envelopes(): ReceivedEnvelope[];
  clientReports(): ClientReport[];
  /** Client-report quantities summed by `reason:category`. */
  discarded(): Record<string, number>;
  requests(): ReceivedRequest[];
  violations(): Violation[];
  /** Resolves once `predicate` holds; it is checked now and after every answered request. */
  waitFor(predicate: (receiver: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  waitForEvents(count: number, timeoutMs?: number): Promise<SentryEvent[]>;
  /** Queues a scripted answer for the next ingestion requests; `undefined` clears the queue. */
  respond(fault: Fault | undefined): void;
  clearFaults(): void;
  /** Closes the listening socket and every connection, so clients get ECONNREFUSED. */
  down(): Promise<void>;
  /** Listens again on the same port, keeping what was recorded. */
  up(): Promise<void>;
  /** Forgets everything recorded, and the scripted faults. */
  reset(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

interface IngestRoute {
  kind: 'envelope' | 'store' | 'tunnel';
  projectId: string;
}

/** Starts a Sentry-protocol receiver on 127.0.0.1 that records and validates everything it gets. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  let events: SentryEvent[] = [];
  let envelopes: ReceivedEnvelope[] = [];
  let clientReports: ClientReport[] = [];
  let requests: ReceivedRequest[] = [];
  let violations: Violation[] = [];
  const faults = createFaultQueue();
  const waiters = new Set<() => void>();
  let server: Server | undefined;

  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  const addViolation = (violation: Violation): void => {
    violations.push(violation);
    callSafely(options.onViolation, violation);
  };

  const recordEvent = (event: SentryEvent, path: string): void => {
    const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
    for (const message of validateEvent(event)) {
      addViolation(eventId === undefined ? { kind: 'schema', message, path } : { kind: 'schema', message, path, eventId });
    }
    events.push(event);
    callSafely(options.onEvent, event);
  };

  const ingestEnvelope = (raw: Buffer, projectId: string, path: string, receivedAt: number): Answer => {
    const reading = readEnvelope(raw);
    for (const problem of reading.problems) addViolation({ ...problem, path });
    envelopes.push({ header: reading.header, items: reading.items, raw, projectId, receivedAt });
    for (const item of reading.items) {
      if (!isObject(item.payload)) continue;
      if (item.header.type === 'event') recordEvent(item.payload as SentryEvent, path);
      if (item.header.type === 'client_report') {
        for (const message of validateClientReport(item.payload)) addViolation({ kind: 'client_report', message, path });
        clientReports.push(item.payload as unknown as ClientReport);
      }
    }
    if (reading.malformed) return json(400, { detail: `invalid envelope: ${reading.problems[0]?.message ?? 'malformed'}` });
    const id = reading.header.event_id;
    return json(200, typeof id === 'string' ? { id } : {});
  };

  // The legacy endpoint: the body is one event.
  const ingestStore = (raw: Buffer, path: string): Answer => {
    let event: unknown;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      addViolation({ kind: 'json', message: `store body: invalid JSON (${(error as Error).message})`, path });
      return json(400, { detail: 'invalid JSON' });
    }
    if (!isObject(event)) {
      addViolation({ kind: 'json', message: 'store body must be a JSON object', path });
      return json(400, { detail: 'invalid event' });
    }
    const id = event.event_id;
    if (id !== undefined && !isEventId(id)) {
      addViolation({ kind: 'event_id', message: `"event_id" must be 32 lowercase hex digits, got ${JSON.stringify(id)}`, path });
    }
    recordEvent(event as SentryEvent, path);
    return json(200, { id: typeof id === 'string' ? id : randomUUID().replace(/-/g, '') });
  };

  const ingest = async (req: IncomingMessage, res: ServerResponse, url: URL, route: IngestRoute, record: ReceivedRequest): Promise<Answer | 'reset' | 'gone'> => {
    const path = url.pathname;
    const declared = Number(req.headers['content-length']);
    const body = declared > MAX_BODY_BYTES ? undefined : await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      req.resume();
      addViolation({ kind: 'size', message: `request body over ${MAX_BODY_BYTES} bytes`, path });
      return json(413, { detail: 'request too large' });
    }
    record.bytes = body.length;
    const decoded = decodeBody(body, req.headers['content-encoding'], MAX_BODY_BYTES);
    if (!decoded.ok) {
      addViolation({ kind: decoded.status === 413 ? 'size' : 'body', message: decoded.message, path });
      return json(decoded.status, { detail: decoded.message });
    }
    const raw = decoded.body;

    let { projectId } = route;
    const auth = readAuth(url.searchParams, req.headers);
    if (route.kind === 'tunnel') {
      const dsn = readDsn(firstLineObject(raw)?.dsn);
      auth.key ??= dsn?.key;
      projectId = dsn?.projectId ?? projectId;
    }
    if (auth.key === undefined) {
      addViolation({ kind: 'auth', message: 'no sentry_key in the query string or X-Sentry-Auth header', path });
      return json(401, { detail: 'missing authorization information' });
    }
    if (auth.version !== undefined && auth.version !== '7') {
      addViolation({ kind: 'auth', message: `sentry_version=${auth.version}; the envelope protocol is version 7`, path });
    }

    const fault = faults.next();
    if (fault !== undefined && 'reset' in fault) return 'reset';
    if (fault !== undefined && 'delayMs' in fault) {
      await sleep(fault.delayMs);
      // down() or close() during the delay: the client saw the connection drop, so nothing arrived.
      if (res.destroyed || req.socket.destroyed) return 'gone';
    }
    const scripted = fault !== undefined && 'status' in fault ? fault : undefined;
    // Like Sentry, a refused request is not stored.
    if (scripted !== undefined && (scripted.status < 200 || scripted.status > 299)) {
      return { status: scripted.status, headers: scripted.headers, body: scripted.body ?? JSON.stringify({ detail: `scripted ${scripted.status}` }) };
    }
    const answer = route.kind === 'store' ? ingestStore(raw, path) : ingestEnvelope(raw, projectId, path, record.receivedAt);
    return scripted === undefined ? answer : { status: scripted.status, headers: scripted.headers, body: scripted.body ?? answer.body };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const method = req.method ?? 'GET';
    const record: ReceivedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      status: 0,
      bytes: 0,
      receivedAt: Date.now(),
    };
    let answer: Answer | 'reset' | 'gone';
    const route = ingestRoute(url.pathname);
    if (method === 'OPTIONS') answer = preflight(req);
    else if (route !== undefined) answer = method === 'POST' ? await ingest(req, res, url, route, record) : json(405, { detail: 'use POST' });
    else if (method === 'GET') answer = serveGet(url.pathname);
    else answer = json(404, { detail: 'not found' });

    if (answer === 'gone') return;
    if (answer !== 'reset') record.status = answer.status;
    requests.push(record);
    if (answer === 'reset') req.socket.resetAndDestroy();
    else {
      for (const [name, value] of Object.entries({ ...CORS_HEADERS, ...answer.headers })) res.setHeader(name, value);
      if (answer.body !== undefined && !res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/json');
      res.writeHead(answer.status);
      res.end(answer.body);
    }
    notify();
  };

  const serveGet = (path: string): Answer => {
    switch (path.replace(/\/+$/, '') || '/') {
      case '/events':
        return json(200, events);
      case '/summary':
        return json(200, groupEvents(events));
      case '/violations':
        return json(200, violations);
      case '/':
        return { status: 200, body: formatSummary(groupEvents(events)), headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
      default:
        return json(404, { detail: 'not found' });
    }
  };

  const listen = async (): Promise<void> => {
    const next = createServer((req, res) => {
      handle(req, res).catch(() => {
        // The client went away mid-body; there is no one to answer.
        if (!res.headersSent) res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, host, () => {
        next.off('error', reject);
        resolve();
      });
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  const down = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  };

  const describeState = (): string => {
    const tail = <T>(list: T[], show: (item: T) => string): string[] => [
      ...(list.length > 10 ? [`  … ${list.length - 10} earlier`] : []),
      ...list.slice(-10).map((item) => `  ${show(item)}`),
    ];
    return [
      `${requests.length} request(s):`,
      ...tail(requests, (r) => `${r.method} ${r.path} -> ${r.status === 0 ? 'reset' : r.status} (${r.bytes} bytes)`),
      `${events.length} event(s):`,
      ...tail(events, formatEventLine),
      `${clientReports.length} client report(s): ${JSON.stringify(sumDiscarded(clientReports))}`,
      `${violations.length} violation(s):`,
      ...tail(violations, (v) => `[${v.kind}] ${v.path}: ${v.message}`),
    ].join('\n');
  };

  await listen();
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;

  const receiver: Receiver = {
    url,
    port,
    dsn: (projectId = 1, publicKey = 'public') => `http://${publicKey}@${urlHost}:${port}/${projectId}`,
    events: () => events.slice(),
    envelopes: () => envelopes.slice(),
    clientReports: () => clientReports.slice(),
    discarded: () => sumDiscarded(clientReports),
    requests: () => requests.slice(),
    violations: () => violations.slice(),
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        let lastError: unknown;
        const holds = (): boolean => {
          try {
            return predicate(receiver);
          } catch (error) {
            lastError = error;
            return false;
          }
        };
        if (holds()) return resolve();
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter = (): void => {
          if (!holds()) return;
          finish();
          resolve();
        };
        const timer = setTimeout(() => {
          finish();
          const thrown = lastError === undefined ? '' : `\nthe predicate last threw: ${String(lastError)}`;
          reject(new Error(`receiver.waitFor: not satisfied after ${timeoutMs} ms${thrown}\n${describeState()}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async waitForEvents(count, timeoutMs = 10_000) {
      await receiver.waitFor(() => events.length >= count, timeoutMs);
      return events.slice();
    },
    respond(fault) {
      if (fault === undefined) faults.clear();
      else faults.push(fault);
    },
    clearFaults: () => faults.clear(),
    down,
    up: async () => {
      if (server === undefined) await listen();
    },
    reset() {
      events = [];
      envelopes = [];
      clientReports = [];
      requests = [];
      violations = [];
      faults.clear();
    },
    close: down,
  };
  return receiver;
}

function ingestRoute(path: string): IngestRoute | undefined {
  const match = INGEST_PATH.exec(path);
  if (match !== null) return { kind: match[2] === 'store' ? 'store' : 'envelope', projectId: match[1]! };
  return TUNNEL_PATH.test(path) ? { kind: 'tunnel', projectId: '' } : undefined;
}

function preflight(req: IncomingMessage): Answer {
  const requested = req.headers['access-control-request-headers'];
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': requested ?? 'content-type, content-encoding, x-sentry-auth',
      'Access-Control-Max-Age': '600',
    },
  };
}

function json(status: number, body: unknown): Answer {
  return { status, body: JSON.stringify(body) };
}

function firstLineObject(raw: Buffer): Record<string, unknown> | undefined {
  const end = raw.indexOf(0x0a);
  try {
    const value: unknown = JSON.parse(raw.toString('utf8', 0, end === -1 ? raw.length : end));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  // unref: a scripted delay must not keep a finished test run (or the CLI) alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function callSafely<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch {
    // A failing observer must not change what the receiver answers.
  }
}
