// Builds envelope bodies by hand for the tests, so they do not depend on @faultline/core's serializer.

export type ItemSpec = [header: Record<string, unknown>, payload: unknown];

/** JSON payloads are stringified; strings and Buffers go in as they are. `length` is in UTF-8 bytes. */
export function buildEnvelope(header: Record<string, unknown>, items: ItemSpec[], { lengths = true } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(header)}\n`)];
  for (const [itemHeader, payload] of items) {
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const withLength = lengths && itemHeader.length === undefined ? { ...itemHeader, length: bytes.length } : itemHeader;
    parts.push(Buffer.from(`${JSON.stringify(withLength)}\n`), bytes, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

let counter = 0;
/** A fresh 32-hex event id. */
export function eventId(): string {
  counter += 1;
  return counter.toString(16).padStart(32, 'a');
}

/** A small valid error event. */
export function errorEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: eventId(),
    timestamp: 1_700_000_000.5,
    platform: 'javascript',
    level: 'error',
    release: 'app@1.0.0',
    exception: {
      values: [
        {
          type: 'TypeError',
          value: 'x is not a function',
          mechanism: { type: 'onerror', handled: false },
          stacktrace: {
            frames: [
              { filename: 'node:internal/timers', function: 'listOnTimeout', lineno: 1, colno: 1, in_app: false },
              { filename: 'app/handler.js', function: 'handle', lineno: 10, colno: 5, in_app: true },
            ],
          },
        },
      ],
    },
    ...overrides,
  };
}

/** An envelope with one event item, its header's event_id and sent_at set as the protocol asks. */
export function eventEnvelope(event: Record<string, unknown> = errorEvent()): Buffer {
  return buildEnvelope({ event_id: event.event_id, sent_at: new Date().toISOString(), sdk: { name: 'test', version: '1' } }, [[{ type: 'event' }, event]]);
}
