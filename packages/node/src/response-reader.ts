// Reads an HTTP/1.1 response off a connection, by RFC 9112: the status line and the headers, then as
// much of the body as its framing says (section 6.3), so the connection can carry the next request.
// The transport needs only the status and two headers, so the body is skipped, never kept.

/** Node's own limit for a response head (`--max-http-header-size`). */
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_LINE_BYTES = 4 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** The headers read: the body's framing, and what the transport acts on. */
const FIELDS = ['content-length', 'transfer-encoding', 'connection', 'x-sentry-rate-limits', 'retry-after'] as const;
export type ResponseField = (typeof FIELDS)[number];
const KEYS = Object.fromEntries(FIELDS.map((name) => [name, `\r\n${name}:`])) as Record<ResponseField, string>;

export interface ResponseHead {
  statusCode: number;
  /** A header sent more than once is joined with ", " (RFC 9110, 5.3). */
  headers: Partial<Record<ResponseField, string>>;
}

type Mode = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'trailer' | 'to-close' | 'done';

/**
 * Reads one response. A class: one is made per request, and methods on the prototype cost nothing to
 * make (an object of closures and getters per request showed up on the profile).
 */
export class ResponseReader {
  /** The status and the headers, once read. */
  head: ResponseHead | undefined;
  /** Whether any byte of the response arrived. */
  started = false;
  /** Bytes that came after the complete response (a tunnel's first bytes, after CONNECT). */
  rest: Buffer | undefined;
  private mode: Mode = 'head';
  private pending: Buffer | undefined;
  private line = '';
  private remaining = 0;
  private keepAlive = false;

  /**
   * `forConnect`: the answer to a CONNECT, which has no body whatever its headers say; what follows it
   * belongs to the tunnel (RFC 9110, 9.3.6).
   */
  constructor(private readonly forConnect = false) {}

  /** Whether the connection may carry another request now that the response is complete. */
  get reusable(): boolean {
    return this.mode === 'done' && this.keepAlive;
  }

  /** Takes the next bytes of the connection; true once the response is complete. Throws on a malformed one. */
  push(chunk: Buffer): boolean {
    this.started = true;
    let at = 0;
    while (at < chunk.length && this.mode !== 'done') {
      const mode = this.mode;
      if (mode === 'head') at = this.readHead(chunk, at);
      else if (mode === 'length' || mode === 'chunk-data') at = this.skip(chunk, at);
      else if (mode === 'chunk-size' || mode === 'trailer') at = this.readLine(chunk, at);
      else return false;
    }
    if (this.mode === 'done' && at < chunk.length) {
      // A server must not send more than the response; the connection is not trusted with another request.
      this.rest = chunk.subarray(at);
      this.keepAlive = false;
    }
    return this.mode === 'done';
  }

  /** The server closed the connection: true if that completes the response (a body that runs to the close). */
  end(): boolean {
    if (this.mode === 'to-close') this.mode = 'done';
    this.keepAlive = false;
    return this.mode === 'done';
  }

  private readHead(chunk: Buffer, at: number): number {
    const pending = this.pending;
    const bytes = pending ? Buffer.concat([pending, chunk.subarray(at)]) : at === 0 ? chunk : chunk.subarray(at);
    const end = bytes.indexOf(CRLF_CRLF, pending ? Math.max(0, pending.length - 3) : 0);
    if (end < 0) {
      if (bytes.length > MAX_HEAD_BYTES) throw new Error(`The response head is longer than ${MAX_HEAD_BYTES} bytes`);
      this.pending = Buffer.from(bytes);
      return chunk.length;
    }
    this.pending = undefined;
    this.startBody(bytes.toString('latin1', 0, end));
    return at + end + 4 - (pending?.length ?? 0);
  }

  private startBody(text: string): void {
    const status = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: |\r|$)/.exec(text);
    if (!status) throw new Error(`Not an HTTP/1.x response: ${JSON.stringify(text.slice(0, 40))}`);
    const statusCode = Number(status[2]);
    // An interim response (100 Continue, 103 Early Hints); the final one follows (RFC 9110, 15.2).
    if (statusCode < 200) return;
    const headers = readFields(text);
    this.head = { statusCode, headers };
    if (this.forConnect) {
      this.mode = 'done';
      return;
    }
    const connection = headers.connection?.toLowerCase() ?? '';
    let keepAlive = status[1] === '1' ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection) : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
    const encoding = headers['transfer-encoding'];
    const length = headers['content-length'];
    let mode: Mode;
    if (statusCode === 204 || statusCode === 304) mode = 'done';
    else if (encoding !== undefined) mode = /(?:^|,)\s*chunked\s*$/i.test(encoding) ? 'chunk-size' : 'to-close';
    else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw new Error(`A bad Content-Length: ${JSON.stringify(length.slice(0, 40))}`);
      this.remaining = Number(length);
      mode = this.remaining > 0 ? 'length' : 'done';
    } else mode = 'to-close';
    if (mode === 'to-close') keepAlive = false;
    this.mode = mode;
    this.keepAlive = keepAlive;
  }

  /** A chunk-size line or a trailer line (RFC 9112, 7.1). */
  private readLine(chunk: Buffer, at: number): number {
    const newline = chunk.indexOf(10, at);
    const end = newline < 0 ? chunk.length : newline + 1;
    this.line += chunk.toString('latin1', at, end);
    if (this.line.length > MAX_LINE_BYTES) throw new Error('A chunked body line is too long');
    if (newline < 0) return end;
    const text = this.line.trim();
    this.line = '';
    if (this.mode === 'trailer') {
      if (text === '') this.mode = 'done';
      return end;
    }
    const size = /^[0-9a-f]{1,12}(?=$|[\s;])/i.exec(text);
    if (!size) throw new Error(`A bad chunk size: ${JSON.stringify(text.slice(0, 40))}`);
    const remaining = parseInt(size[0], 16);
    // Each chunk's data ends with CRLF, skipped with it.
    this.remaining = remaining === 0 ? 0 : remaining + 2;
    this.mode = remaining === 0 ? 'trailer' : 'chunk-data';
    return end;
  }

  private skip(chunk: Buffer, at: number): number {
    const taken = Math.min(this.remaining, chunk.length - at);
    this.remaining -= taken;
    if (this.remaining === 0) this.mode = this.mode === 'length' ? 'done' : 'chunk-size';
    return at + taken;
  }
}

/**
 * The FIELDS of a response head. Names are matched in a lowercased copy (lowercasing keeps the length
 * of latin1 text) and values sliced from the original: no split or object per header, which is most of
 * the cost of a response on the paced-capture profile.
 */
function readFields(text: string): ResponseHead['headers'] {
  const lower = text.toLowerCase();
  const headers: ResponseHead['headers'] = {};
  for (const name of FIELDS) {
    const key = KEYS[name];
    for (let at = lower.indexOf(key); at >= 0; at = lower.indexOf(key, at + key.length)) {
      const end = lower.indexOf('\r\n', at + key.length);
      const value = text.slice(at + key.length, end < 0 ? text.length : end).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
  }
  return headers;
}
