import type { BinarySupport } from './envelope';

// Envelopes with byte payloads (attachments), for the platforms that send them (servers). Kept
// apart from envelope.ts so that a browser bundle, which only ever sends text, leaves it out.

const NEWLINE = 0x0a;
let encoder: TextEncoder | undefined;

export const binary: BinarySupport = {
  asBytes(payload) {
    // isView and the ArrayBuffer tag also hold for values from another realm (an iframe, jsdom).
    if (ArrayBuffer.isView(payload)) return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (Object.prototype.toString.call(payload) === '[object ArrayBuffer]') return new Uint8Array(payload as ArrayBuffer);
    return undefined;
  },
  join(parts) {
    if (parts.every((part) => typeof part === 'string')) return parts.join('\n');
    // Only byte payloads lead here, and every runtime that has them has TextEncoder.
    encoder ??= new TextEncoder();
    const chunks = parts.map((part) => (typeof part === 'string' ? encoder!.encode(part) : part));
    const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength + 1, -1));
    let offset = 0;
    for (const chunk of chunks) {
      if (offset) out[offset++] = NEWLINE;
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  },
};

/**
 * A stored envelope with its header's `sent_at` set to `now`: the protocol wants the time it was
 * actually sent, which lets the server correct for a wrong client clock. Unchanged when the header
 * cannot be read.
 */
export function withSentAt(body: string | Uint8Array, now: number): string | Uint8Array {
  try {
    const sentAt = new Date(now).toISOString();
    if (typeof body === 'string') {
      const end = body.indexOf('\n');
      const header = JSON.parse(end === -1 ? body : body.slice(0, end)) as object;
      return JSON.stringify({ ...header, sent_at: sentAt }) + (end === -1 ? '' : body.slice(end));
    }
    if (typeof TextDecoder !== 'function' || typeof TextEncoder !== 'function') return body;
    const end = body.indexOf(NEWLINE);
    const header = JSON.parse(new TextDecoder().decode(end === -1 ? body : body.subarray(0, end))) as object;
    const line = new TextEncoder().encode(JSON.stringify({ ...header, sent_at: sentAt }));
    const rest = end === -1 ? new Uint8Array(0) : body.subarray(end);
    const out = new Uint8Array(line.byteLength + rest.byteLength);
    out.set(line, 0);
    out.set(rest, line.byteLength);
    return out;
  } catch {
    return body;
  }
}
