import { guard } from './guard';
import { binary } from './envelope-bytes';
import { logger } from './logger';
import type { DataCategory, SdkInfo } from './types';

// Envelope format: https://develop.sentry.dev/sdk/data-model/envelopes/
// CONTRACT (owned by the transport work): keep these names; add the implementation below them.

export interface EnvelopeHeader {
  event_id?: string;
  /** RFC 3339; written by `serializeEnvelope` at the moment of sending, never earlier. */
  sent_at?: string;
  sdk?: Pick<SdkInfo, 'name' | 'version'>;
  /** Only when a tunnel is used, so the tunnel knows where to forward. */
  dsn?: string;
}

export type EnvelopeItemType = 'event' | 'attachment' | 'session' | 'client_report' | 'check_in';

export interface EnvelopeItemHeader {
  type: EnvelopeItemType;
  /** Bytes of the UTF-8 payload; written by `serializeEnvelope` for raw payloads (JSON goes without). */
  length?: number;
  filename?: string;
  content_type?: string;
}

/** A JSON payload (object) or a raw payload (string or bytes, e.g. an attachment). */
export type EnvelopeItem = [EnvelopeItemHeader, unknown];
export type Envelope = [EnvelopeHeader, EnvelopeItem[]];

export function createEnvelope(header: EnvelopeHeader, items: EnvelopeItem[]): Envelope {
  return [header, items];
}

/**
 * Serializes with `sent_at` set to `now()`. Strings for text-only envelopes, bytes otherwise.
 * An item whose payload cannot be serialized is left out (logged in debug mode); never throws.
 */
export function serializeEnvelope(envelope: Envelope, now: () => number = Date.now): string | Uint8Array {
  const items: EncodedItem[] = [];
  for (const item of envelope[1]) {
    const encoded = encodeItem(item, binary);
    if (encoded) items.push(encoded);
  }
  return writeEnvelope(envelope[0], items, now, binary);
}

/**
 * Parses a serialized envelope (used for envelopes read back from a store). Item headers come back
 * without `length`, attachments as they were (string or bytes), other payloads as parsed JSON.
 * Throws on a body that is not an envelope: a store should drop such an entry.
 */
export function parseEnvelope(body: string | Uint8Array): Envelope {
  const reader = typeof body === 'string' ? textReader(body) : byteReader(body);
  let pos = 0;
  const readLine = (): string => {
    const end = reader.indexOfNewline(pos);
    const line = reader.text(pos, end);
    pos = Math.min(end + 1, reader.size);
    return line;
  };

  const header = JSON.parse(readLine()) as EnvelopeHeader;
  if (!isObject(header)) throw new SyntaxError('Envelope header is not an object');
  const items: EnvelopeItem[] = [];
  while (pos < reader.size) {
    const line = readLine();
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as EnvelopeItemHeader;
    if (!isObject(parsed) || typeof parsed.type !== 'string') throw new SyntaxError('Not an item header');
    const { length, ...itemHeader } = parsed;
    // Without a length the payload runs to the next newline (the envelope spec allows both).
    const end = typeof length === 'number' ? reader.skip(pos, length) : reader.indexOfNewline(pos);
    if (end > reader.size) throw new SyntaxError('Envelope item is shorter than its length');
    const payload =
      itemHeader.type === 'attachment' ? reader.raw(pos, end) : parsePayload(reader.text(pos, end));
    pos = end;
    if (pos < reader.size && reader.isNewline(pos)) pos++;
    items.push([itemHeader, payload]);
  }
  return [header, items];
}

// The item types whose category has another name; `attachment` and `session` keep theirs.
const CATEGORIES: Partial<Record<EnvelopeItemType, DataCategory>> = { event: 'error', client_report: 'internal', check_in: 'monitor' };

/** The rate-limit category of an item type (`event` -> `error`, `client_report` -> `internal`, ...). */
export function itemTypeToCategory(type: EnvelopeItemType): DataCategory {
  return CATEGORIES[type] ?? (type === 'attachment' || type === 'session' ? type : 'default');
}

/**
 * One item serialized ahead of sending: the transport encodes items once, when an envelope is
 * queued (which also tells it the bytes it holds), and writes the header with `sent_at` per request.
 */
export interface EncodedItem {
  type: EnvelopeItemType;
  /** The item header line; with `length` for raw payloads only (see `encodeItem`). */
  line: string;
  payload: string | Uint8Array;
  /**
   * About the bytes this item adds to the envelope (separator, header line, newline, payload), for
   * the queue's byte bound: text counts one byte per UTF-16 unit, which is exact for ASCII and at
   * most 3 times low otherwise.
   */
  size: number;
}

/**
 * How byte payloads (attachments) are written. Only the platforms that send them pass it in
 * (`binary`, ./envelope-bytes.ts); without it every payload is text, and a browser bundle leaves
 * the byte handling out.
 */
export interface BinarySupport {
  /** The payload as bytes, or undefined when it is not binary. */
  asBytes(payload: unknown): Uint8Array | undefined;
  /** The parts joined by newlines: a string when all are strings, bytes otherwise. */
  join(parts: Array<string | Uint8Array>): string | Uint8Array;
}

/**
 * Where an object's JSON, already written, may wait for `encodeItem`: the client's size check
 * (./event-trim.ts) leaves it on the event, so that an event is serialized once. A symbol key, so
 * JSON.stringify leaves it out; whoever sets it must not change the object afterwards.
 */
export const JSON_TEXT = Symbol('json');

/** Serializes one item; undefined (logged in debug mode) when its payload cannot be serialized. */
export function encodeItem([header, payload]: EnvelopeItem, bytes?: BinarySupport): EncodedItem | undefined {
  try {
    const raw = bytes?.asBytes(payload) ?? (typeof payload === 'string' ? payload : undefined);
    const data = raw ?? (payload as { [JSON_TEXT]?: string } | undefined)?.[JSON_TEXT] ?? JSON.stringify(payload);
    // JSON.stringify gives undefined for undefined, functions and symbols.
    if (data === undefined) {
      logger.warn(`Dropped an envelope item of type ${header.type}: its payload is not serializable`);
      return undefined;
    }
    // JSON never holds a raw newline, so its item goes without `length` and its bytes need no
    // counting: such a payload runs to the next newline (as Sentry's SDKs send events,
    // https://develop.sentry.dev/sdk/data-model/envelopes/#items). Raw payloads may hold newlines.
    const length = typeof raw === 'string' ? utf8Length(raw) : raw?.byteLength;
    const line = JSON.stringify({ ...header, length });
    return { type: header.type, line, payload: data, size: line.length + data.length + 2 };
  } catch (error) {
    // A getter or toJSON that throws: the client normalizes events first, so this is a bug upstream.
    logger.error(`Dropped an envelope item of type ${header.type}:`, error);
    return undefined;
  }
}

/** Writes the envelope header (with `sent_at` from `now()`) and the encoded items. Never throws. */
export function writeEnvelope(
  header: EnvelopeHeader,
  items: readonly EncodedItem[],
  now: () => number = Date.now,
  bytes?: BinarySupport,
): string | Uint8Array {
  // An invalid clock makes toISOString throw; an envelope without sent_at is still valid.
  const parts: Array<string | Uint8Array> = [JSON.stringify({ ...header, sent_at: guard(() => new Date(now()).toISOString()) })];
  for (const item of items) parts.push(item.line, item.payload);
  return bytes ? bytes.join(parts) : parts.join('\n');
}

/**
 * Bytes of `text` in UTF-8, without allocating (this runs for every event sent). Lone surrogates
 * count 3 bytes, as TextEncoder writes them as U+FFFD.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      bytes += code < 0x800 ? 1 : 2;
      // A surrogate pair is one 4-byte character: its low half adds nothing more.
      if ((code & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    }
  }
  return bytes;
}

const NEWLINE = 0x0a;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

let decoder: TextDecoder | undefined;

/** Positions are UTF-16 indexes for a string body and byte offsets for a byte body. */
interface Reader {
  size: number;
  /** Position of the next newline at or after `from`, or `size`. */
  indexOfNewline(from: number): number;
  isNewline(at: number): boolean;
  /** Position `bytes` UTF-8 bytes after `from`. */
  skip(from: number, bytes: number): number;
  text(from: number, to: number): string;
  raw(from: number, to: number): string | Uint8Array;
}

function textReader(body: string): Reader {
  return {
    size: body.length,
    indexOfNewline: (from) => {
      const at = body.indexOf('\n', from);
      return at < 0 ? body.length : at;
    },
    isNewline: (at) => body.charCodeAt(at) === NEWLINE,
    skip: (from, bytes) => {
      let at = from;
      while (bytes > 0 && at < body.length) {
        const code = body.charCodeAt(at++);
        if (code < 0x80) bytes -= 1;
        else if (code < 0x800) bytes -= 2;
        else if (isHighSurrogate(code) && isLowSurrogate(body.charCodeAt(at))) {
          bytes -= 4;
          at++;
        } else bytes -= 3;
      }
      // Running out of text before the byte count is a truncated body.
      return bytes > 0 ? body.length + 1 : at;
    },
    text: (from, to) => body.slice(from, to),
    raw: (from, to) => body.slice(from, to),
  };
}

function byteReader(body: Uint8Array): Reader {
  if (typeof TextDecoder !== 'function') throw new Error('TextDecoder is needed to parse a binary envelope');
  decoder ??= new TextDecoder();
  const utf8 = decoder;
  return {
    size: body.byteLength,
    indexOfNewline: (from) => {
      const at = body.indexOf(NEWLINE, from);
      return at < 0 ? body.byteLength : at;
    },
    isNewline: (at) => body[at] === NEWLINE,
    skip: (from, bytes) => from + bytes,
    text: (from, to) => utf8.decode(body.subarray(from, to)),
    raw: (from, to) => body.slice(from, to),
  };
}
