import type { Problem } from './violation';

// Reads envelopes the way Relay does, independently of @faultline/core, so that a framing bug in the
// SDK's serializer shows up here instead of being parsed back by the same code that wrote it.
// Format: https://develop.sentry.dev/sdk/data-model/envelopes/

const NEWLINE = 0x0a;
/** Relay rejects an event item over 1 MiB. */
export const MAX_EVENT_BYTES = 1024 * 1024;
const EVENT_ID = /^[0-9a-f]{32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// https://develop.sentry.dev/sdk/data-model/envelope-items/ ; anything else is most likely a typo.
const KNOWN_TYPES = new Set([
  'event', 'transaction', 'attachment', 'session', 'sessions', 'client_report', 'check_in',
  'user_report', 'feedback', 'profile', 'profile_chunk', 'replay_event', 'replay_recording',
  'replay_video', 'statsd', 'metric_buckets', 'span', 'log', 'otel_log', 'otel_span', 'nel',
]);
/** Item types whose payload is bytes, not JSON. */
const RAW_TYPES = new Set(['attachment', 'replay_recording', 'replay_video']);

export interface EnvelopeItemRecord {
  header: Record<string, unknown>;
  /** Parsed JSON; a Buffer for attachments and replay recordings; the text itself if it was not JSON. */
  payload: unknown;
}

export interface EnvelopeReading {
  header: Record<string, unknown>;
  items: EnvelopeItemRecord[];
  problems: Problem[];
  /** The framing itself is broken (bad header JSON, wrong length): Relay answers 400. */
  malformed: boolean;
}

/** Parses and checks one envelope body (already decompressed). Never throws. */
export function readEnvelope(raw: Uint8Array): EnvelopeReading {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const problems: Problem[] = [];
  let malformed = false;
  let pos = 0;

  const lineEnd = (from: number): number => {
    const end = bytes.indexOf(NEWLINE, from);
    return end === -1 ? bytes.length : end;
  };
  const readLine = (): string => {
    const end = lineEnd(pos);
    const text = bytes.toString('utf8', pos, end);
    pos = end + 1;
    return text;
  };

  const parsedHeader = parseObject(readLine());
  if (typeof parsedHeader === 'string') {
    problems.push({ kind: 'json', message: `envelope header: ${parsedHeader}` });
    malformed = true;
  }
  const header = typeof parsedHeader === 'string' ? {} : parsedHeader;
  const eventId = typeof header.event_id === 'string' ? header.event_id : undefined;
  const problem = (kind: Problem['kind'], message: string): void => {
    problems.push(eventId === undefined ? { kind, message } : { kind, message, eventId });
  };

  const items: EnvelopeItemRecord[] = [];
  while (pos < bytes.length) {
    const index = items.length;
    const headerText = readLine();
    if (headerText === '') {
      if (pos >= bytes.length) break; // a trailing newline after the last item is allowed
      problem('envelope', `item ${index}: empty line where an item header was expected`);
      malformed = true;
      continue;
    }
    const itemHeader = parseObject(headerText);
    if (typeof itemHeader === 'string') {
      // Without the header there is no telling where the payload ends, so nothing after it can be read.
      problem('json', `item ${index} header: ${itemHeader}`);
      malformed = true;
      break;
    }
    const type = itemHeader.type;
    const label = `item ${index} (${String(type)})`;
    if (typeof type !== 'string') problem('item_type', `${label}: header has no string "type"`);
    else if (!KNOWN_TYPES.has(type)) problem('item_type', `${label}: unknown item type "${type}"`);

    const start = pos;
    let end: number;
    const length = itemHeader.length;
    if (length === undefined) {
      end = lineEnd(start);
      pos = end + 1;
    } else if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
      problem('length', `${label}: "length" must be a non-negative integer, got ${JSON.stringify(length)}`);
      malformed = true;
      end = lineEnd(start);
      pos = end + 1;
    } else if (start + length > bytes.length || (start + length < bytes.length && bytes[start + length] !== NEWLINE)) {
      // The usual cause is a length counted in UTF-16 code units instead of UTF-8 bytes. Read to the
      // newline instead so the rest of the envelope can still be looked at.
      const lineBytes = lineEnd(start) - start;
      problem('length', `${label}: header says length ${length} but the payload is not followed by a newline or the end there (its line has ${lineBytes} bytes)`);
      malformed = true;
      end = lineEnd(start);
      pos = end + 1;
    } else {
      end = start + length;
      pos = end + 1;
    }

    const payloadBytes = bytes.subarray(start, end);
    let payload: unknown;
    if (typeof type === 'string' && RAW_TYPES.has(type)) {
      payload = Buffer.from(payloadBytes);
    } else {
      const text = payloadBytes.toString('utf8');
      const parsed = parseJson(text);
      if (parsed.ok) payload = parsed.value;
      else {
        payload = text;
        problem('json', `${label} payload: ${parsed.error}`);
      }
    }
    if (type === 'event' && payloadBytes.length > MAX_EVENT_BYTES) {
      problem('size', `${label}: ${payloadBytes.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit for an event`);
    }
    items.push({ header: itemHeader, payload });
  }

  checkHeader(header, items, problem);
  return { header, items, problems, malformed };
}

function checkHeader(
  header: Record<string, unknown>,
  items: EnvelopeItemRecord[],
  problem: (kind: Problem['kind'], message: string) => void,
): void {
  const sentAt = header.sent_at;
  if (typeof sentAt !== 'string') problem('sent_at', 'envelope header has no "sent_at"');
  else if (!RFC3339.test(sentAt) || Number.isNaN(Date.parse(sentAt))) {
    problem('sent_at', `envelope header "sent_at" is not RFC 3339: ${JSON.stringify(sentAt)}`);
  }

  const events = items.filter((item) => item.header.type === 'event');
  if (events.length === 0) return;
  if (events.length > 1) problem('envelope', `${events.length} event items in one envelope; at most one is allowed`);
  const eventId = header.event_id;
  if (!isEventId(eventId)) {
    problem('event_id', `envelope header "event_id" must be 32 lowercase hex digits, got ${JSON.stringify(eventId)}`);
  }
  for (const event of events) {
    const payloadId = isObject(event.payload) ? event.payload.event_id : undefined;
    if (payloadId !== eventId) {
      problem('event_id', `event payload "event_id" ${JSON.stringify(payloadId)} differs from the envelope header's ${JSON.stringify(eventId)}`);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | string {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed.error;
  return isObject(parsed.value) ? parsed.value : `expected a JSON object, got ${truncate(text)}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `invalid JSON (${(error as Error).message}): ${truncate(text)}` };
  }
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && EVENT_ID.test(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
