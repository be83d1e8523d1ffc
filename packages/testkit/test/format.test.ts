import { describe, expect, it } from 'vitest';
import { formatEventLine, formatSummary, groupEvents, type SentryEvent } from '@faultline/testkit';

const event: SentryEvent = {
  event_id: 'fc6d8c0c43fc4630ad850ee518f1b9d0',
  timestamp: 1_714_564_800,
  level: 'error',
  release: 'shop@2.1.0',
  exception: { values: [{ type: 'TypeError', value: 'cart is null\n  more detail', stacktrace: { frames: [{ filename: 'app/cart.js', function: 'total', in_app: true }] } }] },
};

describe('formatEventLine', () => {
  it('puts time, level, title, release, culprit and id on one line', () => {
    const line = formatEventLine(event);
    expect(line).toBe('2024-05-01T12:00:00.000Z  error    TypeError: cart is null more detail  release=shop@2.1.0  at total (app/cart.js)  fc6d8c0c43fc4630ad850ee518f1b9d0');
  });

  it('copes with an event that has almost nothing', () => {
    expect(formatEventLine({})).toBe('-  error    <no message>  (no id)');
  });
});

describe('formatSummary', () => {
  it('prints one row per issue under a heading', () => {
    const text = formatSummary(groupEvents([event, event, { message: 'hello', level: 'info' }]));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('2 issues, 3 events');
    expect(lines[1]).toMatch(/^COUNT\s+USERS\s+LEVEL\s+TITLE\s+CULPRIT\s+LAST SEEN\s+LAST EVENT$/);
    expect(lines[2]).toMatch(/^\s+2\s+0\s+error\s+TypeError: cart is null more detail\s+total \(app\/cart\.js\)\s+2024-05-01T12:00:00\.000Z\s+fc6d8c0c/);
    expect(lines[3]).toMatch(/^\s+1\s+0\s+info\s+hello/);
  });

  it('says when nothing arrived', () => {
    expect(formatSummary([])).toBe('No events received.\n');
  });
});
