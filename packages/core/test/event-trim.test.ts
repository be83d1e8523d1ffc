import { describe, expect, it } from 'vitest';
import { createEnvelope, serializeEnvelope } from '../src/envelope';
import { dropOverSize, fitToSize } from '../src/event-trim';
import { jsonSize } from '../src/normalize';
import type { Event } from '../src/types';
import { schemaErrors } from './helpers/schema';

function event(sizes: { breadcrumbs?: number; extra?: number; contexts?: number; request?: number; user?: number }): Event {
  const blob = (n = 0): string => 'x'.repeat(n);
  return {
    event_id: 'a'.repeat(32),
    level: 'error',
    exception: { values: [{ type: 'Error', value: 'boom', mechanism: { type: 'generic', handled: true } }] },
    breadcrumbs: { values: [{ message: blob(sizes.breadcrumbs) }] },
    extra: { blob: blob(sizes.extra) },
    contexts: { app: { blob: blob(sizes.contexts) } },
    request: { url: 'https://shop.example/', data: blob(sizes.request) },
    user: { id: '1', data: { blob: blob(sizes.user) } },
  };
}

describe('dropOverSize (the CDN bundle: no full pipeline)', () => {
  it('leaves an event under the limit as it is', () => {
    const small = event({ extra: 100 });
    const copy = structuredClone(small);
    expect(dropOverSize(small, 10_000)).toEqual(copy);
  });

  it('returns undefined for an event over the limit, whatever makes it large', () => {
    expect(dropOverSize(event({ breadcrumbs: 3000 }), 3000)).toBeUndefined();
    expect(dropOverSize(event({ user: 5000 }), 4000)).toBeUndefined();
  });
});

describe('fitToSize (the npm packages)', () => {
  it('keeps the exception when everything else had to go', () => {
    const out = fitToSize(event({ breadcrumbs: 3000, user: 5000 }), 1000);
    expect(out.exception?.values[0]).toMatchObject({ type: 'Error', value: 'boom' });
    expect(jsonSize(out)).toBeLessThanOrEqual(1000);
  });
});

describe.each([
  ['dropOverSize', dropOverSize],
  ['fitToSize', fitToSize],
])('%s counts bytes, not characters', (_, fit) => {
  it('does not send an event whose characters fit but whose UTF-8 bytes do not as it is', () => {
    // 1,500 characters of 3 bytes each: 4,500 bytes, over a 3,000-byte limit.
    const wide = event({});
    wide.extra = { text: '日'.repeat(1500) };
    const trimmed = fit(wide, 3000);
    expect(trimmed?.extra?.text).toBeUndefined();
    if (trimmed) expect(Buffer.byteLength(JSON.stringify(trimmed))).toBeLessThanOrEqual(3000);
  });

  it('sends a fitted event as it is when it changes nothing', () => {
    const fitted = fit(event({ extra: 100 }), 10_000, true)!;
    const body = serializeEnvelope(createEnvelope({}, [[{ type: 'event' }, fitted]])) as string;
    expect(body.split('\n')[2]).toBe(JSON.stringify(fitted));
  });
});
