import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '@faultline/testkit';
import { errorEvent } from './build-envelope';

const vendored = fileURLToPath(new URL('../schema/event.schema.json', import.meta.url));
const shared = fileURLToPath(new URL('../../../../shared/schemas/event.schema.json', import.meta.url));

describe('validateEvent', () => {
  it('accepts a complete error event', () => {
    const event = errorEvent({
      environment: 'production',
      server_name: 'web-1',
      tags: { route: '/checkout' },
      extra: { cart: { items: 3 } },
      user: { id: '42', email: 'a@example.com', ip_address: '127.0.0.1', data: { plan: 'pro' } },
      contexts: { runtime: { name: 'node', version: 'v20.0.0' }, os: { name: 'Linux' } },
      request: { url: 'http://localhost/checkout', method: 'POST', headers: { 'user-agent': 'test' } },
      breadcrumbs: { values: [{ timestamp: 1_700_000_000, category: 'console', level: 'info', message: 'hi' }] },
      sdk: { name: 'faultline.javascript.node', version: '0.1.0', integrations: ['dedupe'] },
      fingerprint: ['{{ default }}'],
    });
    expect(validateEvent(event)).toEqual([]);
  });

  it('accepts event ids with and without dashes', () => {
    expect(validateEvent({ event_id: 'fc6d8c0c43fc4630ad850ee518f1b9d0' })).toEqual([]);
    expect(validateEvent({ event_id: 'fc6d8c0c-43fc-4630-ad85-0ee518f1b9d0' })).toEqual([]);
    expect(validateEvent({ event_id: 'not-an-id' })).toEqual(['/event_id: must match format "uuid"']);
  });

  it('names the path and the property a closed object does not allow', () => {
    const event = errorEvent();
    const frames = (event.exception as { values: Array<{ stacktrace: { frames: object[] } }> }).values[0]!.stacktrace.frames;
    frames.push({ filename: 'a.js', line: 3 });
    expect(validateEvent(event)).toEqual(['/exception/values/0/stacktrace/frames/2: must NOT have additional properties "line"']);
    expect(validateEvent({ colour: 'red' })).toEqual(['/: must NOT have additional properties "colour"']);
  });

  it('reports wrong types', () => {
    expect(validateEvent({ level: 'error', tags: 'nope', timestamp: true }).length).toBeGreaterThan(0);
    expect(validateEvent('an event')).not.toEqual([]);
  });

  it.skipIf(!existsSync(shared))('vendors the same schema as ../shared', () => {
    expect(readFileSync(vendored, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});
