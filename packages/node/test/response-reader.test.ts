import { describe, expect, it } from 'vitest';
import { ResponseReader } from '../src/response-reader';

/** Feeds `text` to a reader in pieces of `size` bytes; what push returned for each. */
function feed(reader: ResponseReader, text: string, size = Infinity): boolean[] {
  const bytes = Buffer.from(text, 'latin1');
  const results: boolean[] = [];
  for (let at = 0; at < bytes.length; at += Math.min(size, bytes.length)) results.push(reader.push(bytes.subarray(at, at + size)));
  return results;
}

describe('ResponseReader', () => {
  it('reads the status and the headers the transport needs, whatever their case, joining repeats', () => {
    const reader = new ResponseReader();
    const complete = feed(reader, 'HTTP/1.1 429 Too Many Requests\r\nX-Sentry-Rate-Limits: 60:error:key\r\nRETRY-AFTER:  30 \r\nx-sentry-rate-limits: 10::org\r\nContent-Length: 9\r\n\r\nslow down');
    expect(complete).toEqual([true]);
    expect(reader.head).toEqual({ statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error:key, 10::org', 'retry-after': '30', 'content-length': '9' } });
    expect(reader.reusable).toBe(true);
  });

  it('completes only once the whole body arrived, one byte at a time', () => {
    const reader = new ResponseReader();
    const results = feed(reader, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}', 1);
    expect(results.at(-1)).toBe(true);
    expect(results.slice(0, -1).every((done) => !done)).toBe(true);
    expect(reader.head?.statusCode).toBe(200);
  });

  it('skips a chunked body with extensions and trailers, split anywhere', () => {
    const response = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';
    for (const size of [1, 3, 7, Infinity]) {
      const reader = new ResponseReader();
      const results = feed(reader, response, size);
      expect(results.at(-1), `pieces of ${size}`).toBe(true);
      expect(results.slice(0, -1).some(Boolean), `pieces of ${size}`).toBe(false);
      expect(reader.reusable).toBe(true);
    }
  });

  it('passes over interim 1xx responses to the final one', () => {
    const reader = new ResponseReader();
    expect(feed(reader, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n')).toEqual([true]);
    expect(reader.head?.statusCode).toBe(201);
  });

  it('reads a body without length or chunking to the close, and does not reuse the connection', () => {
    const reader = new ResponseReader();
    expect(feed(reader, 'HTTP/1.1 200 OK\r\n\r\nsome body')).toEqual([false]);
    expect(reader.end()).toBe(true);
    expect(reader.reusable).toBe(false);
  });

  it('has no body for 204 and 304', () => {
    for (const status of [204, 304]) {
      const reader = new ResponseReader();
      expect(feed(reader, `HTTP/1.1 ${status} X\r\n\r\n`)).toEqual([true]);
      expect(reader.reusable).toBe(true);
    }
  });

  it('does not reuse a connection the server closes, or an HTTP/1.0 one unless kept alive', () => {
    const cases: Array<[string, boolean]> = [
      ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra', false],
    ];
    for (const [response, reusable] of cases) {
      const reader = new ResponseReader();
      expect(feed(reader, response), response).toEqual([true]);
      expect(reader.reusable, response).toBe(reusable);
    }
  });

  it('is incomplete when the connection closes before a framed body ended', () => {
    const reader = new ResponseReader();
    feed(reader, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    expect(reader.end()).toBe(false);
    expect(new ResponseReader().end()).toBe(false);
  });

  it('throws on what is not an HTTP/1.x response', () => {
    const bad = [
      'SSH-2.0-OpenSSH_9.2\r\n\r\n',
      'HTTP/2 200\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}`,
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1${' '.repeat(5000)}`,
    ];
    for (const response of bad) expect(() => feed(new ResponseReader(), response), response.slice(0, 30)).toThrow();
  });

  it('ends the answer to a CONNECT at its head and keeps what follows for the tunnel', () => {
    const reader = new ResponseReader(true);
    expect(feed(reader, 'HTTP/1.1 200 Connection Established\r\nContent-Length: 99\r\n\r\n\u0016\u0003\u0001')).toEqual([true]);
    expect(reader.rest?.toString('latin1')).toBe('\u0016\u0003\u0001');
  });
});
