import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Reads a request body; `undefined` once it passes `limit` bytes (the rest is drained, unread). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client went away before the body ended'));
    });
  });
}

export type Decoded = { ok: true; body: Buffer } | { ok: false; status: number; message: string };

/** Undoes `Content-Encoding`, refusing to inflate past `limit` bytes. */
export function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Decoded {
  const name = (encoding ?? '').trim().toLowerCase();
  const options = { maxOutputLength: limit };
  try {
    switch (name) {
      case '':
      case 'identity':
        return { ok: true, body };
      case 'gzip':
      case 'x-gzip':
        return { ok: true, body: gunzipSync(body, options) };
      case 'deflate':
        return { ok: true, body: inflateDeflate(body, options) };
      case 'br':
        return { ok: true, body: brotliDecompressSync(body, options) };
      default:
        return { ok: false, status: 415, message: `unsupported Content-Encoding "${name}"` };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, status: 413, message: `${name} body inflates past ${limit} bytes` };
    return { ok: false, status: 400, message: `cannot decode ${name} body: ${(error as Error).message}` };
  }
}

// HTTP "deflate" means the zlib format (RFC 9110 8.4.1.2), but some clients send raw deflate.
function inflateDeflate(body: Buffer, options: { maxOutputLength: number }): Buffer {
  try {
    return inflateSync(body, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
    return inflateRawSync(body, options);
  }
}
