import { describe, expect, it } from 'vitest';
import { describeEvent, groupEvents, type SentryEvent } from '@faultline/testkit';

const frame = (filename: string, fn: string, lineno: number, in_app = true) => ({ filename, function: fn, lineno, in_app });

function thrown(type: string, value: string, frames: object[], extra: Partial<SentryEvent> = {}): SentryEvent {
  return { level: 'error', exception: { values: [{ type, value, stacktrace: { frames } }] }, ...extra };
}

describe('describeEvent', () => {
  it('uses the last exception and its last in-app frame', () => {
    const event: SentryEvent = {
      exception: {
        values: [
          { type: 'SyntaxError', value: 'cause', stacktrace: { frames: [frame('lib/parse.js', 'parse', 1)] } },
          { type: 'Error', value: 'wrapper', stacktrace: { frames: [frame('app/a.js', 'outer', 1), frame('app/b.js', 'inner', 2), frame('node_modules/x.js', 'lib', 3, false)] } },
        ],
      },
    };
    expect(describeEvent(event)).toMatchObject({ title: 'Error: wrapper', culprit: 'inner (app/b.js)' });
  });

  it('uses the formatted message for message events', () => {
    expect(describeEvent({ logentry: { message: 'Hello %s', formatted: 'Hello world' } }).title).toBe('Hello world');
    expect(describeEvent({ logentry: { message: 'Hello %s' } }).title).toBe('Hello %s');
    expect(describeEvent({ message: 'legacy' }).title).toBe('legacy');
  });
});

describe('groupEvents', () => {
  it('groups by exception type and top in-app frame, ignoring the message and line', () => {
    const groups = groupEvents([
      thrown('TypeError', 'a is undefined', [frame('app/x.js', 'run', 1)], { event_id: '1'.repeat(32), timestamp: 100 }),
      thrown('TypeError', 'b is undefined', [frame('app/x.js', 'run', 9)], { event_id: '2'.repeat(32), timestamp: 300, level: 'fatal' }),
      thrown('TypeError', 'a is undefined', [frame('app/y.js', 'run', 1)], { timestamp: 200 }),
      thrown('RangeError', 'a is undefined', [frame('app/x.js', 'run', 1)], { timestamp: 200 }),
    ]);
    expect(groups).toHaveLength(3);
    expect(groups[0]).toMatchObject({
      title: 'TypeError: b is undefined',
      culprit: 'run (app/x.js)',
      count: 2,
      level: 'fatal',
      lastEventId: '2'.repeat(32),
      firstSeen: new Date(100_000).toISOString(),
      lastSeen: new Date(300_000).toISOString(),
    });
  });

  it('groups message events by message and counts distinct users', () => {
    const groups = groupEvents([
      { logentry: { formatted: 'disk full' }, level: 'warning', user: { id: '1' } },
      { logentry: { formatted: 'disk full' }, level: 'warning', user: { id: '1', email: 'x@y.z' } },
      { logentry: { formatted: 'disk full' }, level: 'warning', user: { email: 'x@y.z' } },
      { logentry: { formatted: 'disk full' }, level: 'warning', user: { ip_address: '127.0.0.1' } },
      { logentry: { formatted: 'disk full' }, level: 'warning' },
    ]);
    expect(groups).toEqual([expect.objectContaining({ title: 'disk full', count: 5, users: 3, level: 'warning' })]);
  });

  it('sorts by count, most frequent first', () => {
    const groups = groupEvents([{ message: 'once' }, { message: 'twice' }, { message: 'twice' }]);
    expect(groups.map((g) => [g.title, g.count])).toEqual([['twice', 2], ['once', 1]]);
  });
});
