import { describe, expect, it } from 'vitest';
import { readEnvelope } from '@faultline/testkit';
import { buildEnvelope, errorEvent, eventEnvelope, eventId } from './build-envelope';

const sentAt = '2024-05-01T12:00:00.000Z';

describe('readEnvelope', () => {
  it('reads a valid envelope without problems', () => {
    const event = errorEvent();
    const reading = readEnvelope(eventEnvelope(event));
    expect(reading.problems).toEqual([]);
    expect(reading.malformed).toBe(false);
    expect(reading.items).toEqual([{ header: { type: 'event', length: expect.any(Number) }, payload: event }]);
  });

  it('reads items with and without length, multi-byte text and a trailing newline', () => {
    const attachment = Buffer.from('a\nb ✓ 🎉\n');
    const body = Buffer.concat([
      buildEnvelope({ sent_at: sentAt }, [[{ type: 'attachment' }, attachment]]),
      Buffer.from('{"type":"session"}\n{"sid":"ünïcode ✓"}\n'),
    ]);
    const reading = readEnvelope(body);
    expect(reading.problems).toEqual([]);
    expect((reading.items[0]?.payload as Buffer).equals(attachment)).toBe(true);
    expect(reading.items[1]?.payload).toEqual({ sid: 'ünïcode ✓' });
    expect(reading.items).toHaveLength(2);
  });

  it('accepts an envelope with no items and no final newline', () => {
    expect(readEnvelope(Buffer.from(`{"sent_at":"${sentAt}"}`))).toMatchObject({ items: [], problems: [], malformed: false });
  });

  it('reports a length counted in characters instead of bytes, and still recovers the payload', () => {
    const event = errorEvent({ extra: { s: 'ü' } });
    const json = JSON.stringify(event);
    const reading = readEnvelope(buildEnvelope({ event_id: event.event_id, sent_at: sentAt }, [[{ type: 'event', length: json.length }, json]]));
    expect(reading.malformed).toBe(true);
    expect(reading.problems).toEqual([
      expect.objectContaining({ kind: 'length', eventId: event.event_id, message: expect.stringContaining(`its line has ${json.length + 1} bytes`) }),
    ]);
    expect(reading.items[0]?.payload).toEqual(event);
  });

  it('reports a length running past the end of the body', () => {
    const reading = readEnvelope(Buffer.from(`{"sent_at":"${sentAt}"}\n{"type":"session","length":50}\n{}`));
    expect(reading.problems.map((p) => p.kind)).toEqual(['length']);
  });

  it('reports bad JSON in the header, an item header and a payload', () => {
    expect(readEnvelope(Buffer.from('{nope\n')).problems.map((p) => p.kind)).toContain('json');
    expect(readEnvelope(Buffer.from('{nope\n')).malformed).toBe(true);
    const badItemHeader = readEnvelope(Buffer.from(`{"sent_at":"${sentAt}"}\n{type:event}\n{}\n`));
    expect(badItemHeader).toMatchObject({ malformed: true, problems: [expect.objectContaining({ kind: 'json' })] });
    const badPayload = readEnvelope(Buffer.from(`{"sent_at":"${sentAt}"}\n{"type":"session"}\n{"sid":\n`));
    expect(badPayload.problems).toEqual([expect.objectContaining({ kind: 'json', message: expect.stringContaining('item 0 (session) payload') })]);
  });

  it('requires a lowercase 32-hex event_id in the header when there is an event', () => {
    const event = errorEvent();
    const upper = readEnvelope(buildEnvelope({ event_id: String(event.event_id).toUpperCase(), sent_at: sentAt }, [[{ type: 'event' }, event]]));
    expect(upper.problems.map((p) => p.kind)).toEqual(['event_id', 'event_id']);
    const missing = readEnvelope(buildEnvelope({ sent_at: sentAt }, [[{ type: 'event' }, event]]));
    expect(missing.problems.map((p) => p.kind)).toEqual(['event_id', 'event_id']);
  });

  it('reports a header event_id that differs from the payload', () => {
    const event = errorEvent();
    const reading = readEnvelope(buildEnvelope({ event_id: eventId(), sent_at: sentAt }, [[{ type: 'event' }, event]]));
    expect(reading.problems).toEqual([expect.objectContaining({ kind: 'event_id', message: expect.stringContaining('differs') })]);
  });

  it('requires sent_at as RFC 3339', () => {
    expect(readEnvelope(Buffer.from('{}\n')).problems.map((p) => p.kind)).toEqual(['sent_at']);
    expect(readEnvelope(Buffer.from('{"sent_at":"yesterday"}\n')).problems.map((p) => p.kind)).toEqual(['sent_at']);
    expect(readEnvelope(Buffer.from('{"sent_at":1714564800}\n')).problems.map((p) => p.kind)).toEqual(['sent_at']);
    expect(readEnvelope(Buffer.from('{"sent_at":"2024-05-01T12:00:00+02:00"}\n')).problems).toEqual([]);
  });

  it('reports unknown item types', () => {
    const reading = readEnvelope(buildEnvelope({ sent_at: sentAt }, [[{ type: 'evnet' }, {}]]));
    expect(reading.problems).toEqual([expect.objectContaining({ kind: 'item_type', message: expect.stringContaining('"evnet"') })]);
  });

  it('reports an event item over 1 MiB', () => {
    const event = errorEvent({ extra: { big: 'x'.repeat(1024 * 1024) } });
    expect(readEnvelope(eventEnvelope(event)).problems.map((p) => p.kind)).toEqual(['size']);
  });

  it('reports more than one event item', () => {
    const event = errorEvent();
    const reading = readEnvelope(buildEnvelope({ event_id: event.event_id, sent_at: sentAt }, [[{ type: 'event' }, event], [{ type: 'event' }, event]]));
    expect(reading.problems.map((p) => p.kind)).toEqual(['envelope']);
  });
});
