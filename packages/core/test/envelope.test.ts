import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createEnvelope,
  itemTypeToCategory,
  parseEnvelope,
  serializeEnvelope,
  utf8Length,
  type Envelope,
} from '../src/envelope';

const EVENT_ID = '0123456789abcdef0123456789abcdef';
const SDK = { name: 'faultline.javascript.test', version: '0.0.0' };
const at = (iso: string) => () => Date.parse(iso);

/** Splits a text envelope into its lines and reads each as JSON. */
function lines(body: string | Uint8Array): unknown[] {
  expect(typeof body).toBe('string');
  return (body as string).split('\n').map((line) => JSON.parse(line));
}

describe('serializeEnvelope', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('writes the header with sent_at, then each item header, then the payload on one line', () => {
    const event = { event_id: EVENT_ID, message: 'boom\nline two', level: 'error' };
    const envelope = createEnvelope({ event_id: EVENT_ID, sdk: SDK }, [[{ type: 'event' }, event]]);
    const body = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));

    // A JSON payload goes without `length`: it runs to the next newline, as Sentry's SDKs send events.
    expect(lines(body)).toEqual([
      { event_id: EVENT_ID, sdk: SDK, sent_at: '2024-05-01T12:00:00.000Z' },
      { type: 'event' },
      event,
    ]);
  });

  it('leaves out a length the caller put in the header of a JSON payload', () => {
    const body = serializeEnvelope(createEnvelope({}, [[{ type: 'event', length: 3 }, { message: 'long enough' }]]));
    expect(lines(body).slice(1)).toEqual([{ type: 'event' }, { message: 'long enough' }]);
  });

  it('writes sent_at when serializing, not when the envelope was made', () => {
    let clock = Date.parse('2024-01-01T00:00:00.000Z');
    const envelope = createEnvelope({ event_id: EVENT_ID }, [[{ type: 'event' }, { event_id: EVENT_ID }]]);
    clock += 90_000;
    const [header] = lines(serializeEnvelope(envelope, () => clock)) as Array<{ sent_at: string }>;
    expect(header!.sent_at).toBe('2024-01-01T00:01:30.000Z');
    expect(envelope[0].sent_at).toBeUndefined();
  });

  it('counts the length of a raw payload in UTF-8 bytes for emoji, CJK and accents', () => {
    const message = 'é 日本語 👍🏽 𝄞 ok';
    const envelope = createEnvelope({}, [
      [{ type: 'event' }, { message }],
      [{ type: 'attachment', filename: 'a.txt' }, message],
    ]);
    const [, eventHeader, , attachmentHeader, attachment] = (serializeEnvelope(envelope) as string).split('\n');
    expect(JSON.parse(eventHeader!)).toEqual({ type: 'event' });
    expect(JSON.parse(attachmentHeader!).length).toBe(Buffer.byteLength(message));
    expect(Buffer.byteLength(message)).toBeGreaterThan(message.length);
    expect(attachment).toBe(message);
  });

  it('returns bytes, exactly as written, when a payload is binary', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x00, 0xff, 0x0a]);
    const envelope = createEnvelope({ event_id: EVENT_ID }, [
      [{ type: 'event' }, { message: 'ünïcode ✓' }],
      [{ type: 'attachment', filename: 'shot.png', content_type: 'image/png' }, png],
    ]);
    const body = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));
    expect(body).toBeInstanceOf(Uint8Array);

    const bytes = Buffer.from(body as Uint8Array);
    const expected = Buffer.concat([
      Buffer.from(`${JSON.stringify({ event_id: EVENT_ID, sent_at: '2024-05-01T12:00:00.000Z' })}\n`),
      Buffer.from(`${JSON.stringify({ type: 'event' })}\n`),
      Buffer.from('{"message":"ünïcode ✓"}\n'),
      Buffer.from(`${JSON.stringify({ type: 'attachment', filename: 'shot.png', content_type: 'image/png', length: 8 })}\n`),
      Buffer.from(png),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('writes the same bytes where TextEncoder is missing', () => {
    const envelope = createEnvelope({ event_id: EVENT_ID }, [
      [{ type: 'event' }, { message: 'é 日本語 👍🏽' }],
      [{ type: 'attachment' }, 'raw ü 日本 😀 and a lone \ud800 surrogate'],
      [{ type: 'attachment' }, new Uint8Array([1, 2, 3])],
    ]);
    const withEncoder = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));
    vi.stubGlobal('TextEncoder', undefined);
    const without = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));
    expect(Buffer.from(without as Uint8Array).equals(Buffer.from(withEncoder as Uint8Array))).toBe(true);
  });

  it('leaves out an item it cannot serialize and keeps the others, without throwing', () => {
    const envelope = createEnvelope({}, [
      [{ type: 'event' }, { big: 10n }],
      [
        { type: 'event' },
        {
          toJSON() {
            throw new Error('nope');
          },
        },
      ],
      [{ type: 'session' }, undefined],
      [{ type: 'client_report' }, { discarded_events: [] }],
    ]);
    const body = serializeEnvelope(envelope);
    expect(lines(body).slice(1)).toEqual([{ type: 'client_report' }, { discarded_events: [] }]);
  });

  it('still serializes when the clock is broken, leaving sent_at out', () => {
    const body = serializeEnvelope(createEnvelope({ event_id: EVENT_ID }, []), () => NaN);
    expect(lines(body)).toEqual([{ event_id: EVENT_ID }]);
  });
});

describe('parseEnvelope', () => {
  it('reads back what serializeEnvelope wrote (text)', () => {
    const envelope: Envelope = [
      { event_id: EVENT_ID, sdk: SDK },
      [
        [{ type: 'event' }, { event_id: EVENT_ID, message: 'multi\nline 日本 😀', extra: { a: [1, null, 'x'] } }],
        [{ type: 'attachment', filename: 'log.txt' }, 'line one\nline two 👋\n'],
        [{ type: 'client_report' }, { timestamp: 1714564800.5, discarded_events: [] }],
      ],
    ];
    const body = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));
    expect(parseEnvelope(body)).toEqual([{ ...envelope[0], sent_at: '2024-05-01T12:00:00.000Z' }, envelope[1]]);
  });

  it('reads back what serializeEnvelope wrote (bytes), attachments as bytes', () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const envelope: Envelope = [
      { event_id: EVENT_ID },
      [
        [{ type: 'attachment', filename: 'all.bin' }, bytes],
        [{ type: 'event' }, { message: 'après' }],
      ],
    ];
    const parsed = parseEnvelope(serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z')));
    expect(parsed[1][0]![1]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(parsed[1][0]![1] as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(parsed[1][1]).toEqual([{ type: 'event' }, { message: 'après' }]);
  });

  it('round-trips any JSON payloads and any text attachments', () => {
    fc.assert(
      // A string payload of a JSON item is written as it is (it is taken to be serialized already),
      // so only objects round-trip there; attachments carry any text.
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ unit: 'binary' }), (payload, text) => {
        const envelope: Envelope = [
          { event_id: EVENT_ID },
          [
            [{ type: 'event' }, payload],
            [{ type: 'attachment' }, text],
          ],
        ];
        const body = serializeEnvelope(envelope, at('2024-05-01T12:00:00.000Z'));
        const parsed = parseEnvelope(body);
        expect(parsed[1][0]![1]).toEqual(JSON.parse(JSON.stringify(payload)));
        expect(parsed[1][1]![1]).toBe(text);
        // The same from the bytes a receiver or a store would hold.
        const fromBytes = parseEnvelope(new TextEncoder().encode(body as string));
        expect(fromBytes[1][1]![1]).toEqual(new TextEncoder().encode(text));
      }),
    );
  });

  it('reads items without a length up to the newline, and a trailing newline', () => {
    const body = '{"event_id":"abc"}\n{"type":"event"}\n{"message":"a"}\n{"type":"session","length":7}\n{"x":1}\n';
    expect(parseEnvelope(body)).toEqual([
      { event_id: 'abc' },
      [
        [{ type: 'event' }, { message: 'a' }],
        [{ type: 'session' }, { x: 1 }],
      ],
    ]);
  });

  it.each([
    ['not json', 'hello'],
    ['a header that is not an object', '[1]\n'],
    ['an item header without a type', '{}\n{"length":2}\n{}'],
    ['a payload shorter than its length', '{}\n{"type":"event","length":50}\n{}'],
  ])('throws on %s', (_, body) => {
    expect(() => parseEnvelope(body)).toThrow();
  });
});

describe('utf8Length', () => {
  it('matches TextEncoder for any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).length);
      }),
    );
    for (const text of ['\ud800', 'a\udc00b', '\ud83d\ud83d\ude00', '\ude00\ud83d']) {
      expect(utf8Length(text)).toBe(encoder.encode(text).length);
    }
  });
});

describe('itemTypeToCategory', () => {
  it.each([
    ['event', 'error'],
    ['client_report', 'internal'],
    ['check_in', 'monitor'],
    ['attachment', 'attachment'],
    ['session', 'session'],
  ] as const)('%s -> %s', (type, category) => {
    expect(itemTypeToCategory(type)).toBe(category);
  });
});
