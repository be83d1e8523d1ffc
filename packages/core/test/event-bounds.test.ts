import { describe, expect, it } from 'vitest';
import { boundEvent } from '../src/event-bounds';
import type { Event } from '../src/types';
import { schemaErrors } from './helpers/schema';

// The CDN bundle's pass over events (the client's default without the full pipeline).
describe('boundEvent', () => {
  it('filters secrets in extras, contexts, user data and breadcrumb data', () => {
    const out = boundEvent({
      extra: { password: 'hunter2', nested: { api_key: 'k', ok: 1 } },
      contexts: { app: { token: 't', name: 'shop' } },
      user: { id: '1', session_id: 's' } as never,
      breadcrumbs: { values: [{ category: 'http', data: { authorization: 'Bearer x', url: '/a' } }] },
    });
    expect(out.extra).toEqual({ password: '[Filtered]', nested: { api_key: '[Filtered]', ok: 1 } });
    expect(out.contexts).toEqual({ app: { token: '[Filtered]', name: 'shop' } });
    expect(out.user).toEqual({ id: '1', data: { session_id: '[Filtered]' } });
    expect(out.breadcrumbs!.values[0]!.data).toEqual({ authorization: '[Filtered]', url: '/a' });
    expect(schemaErrors(out)).toEqual([]);
  });

  it('bounds depth, cycles and hostile getters, and leaves the given event alone', () => {
    const cycle: Record<string, unknown> = { a: { b: { c: { d: 1 } } } };
    cycle.self = cycle;
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const given: Event = { extra: { cycle, hostile } };
    const out = boundEvent(given, { depth: 3 });
    expect(out.extra).toEqual({ cycle: { a: { b: '[Object]' }, self: '[Circular ~]' }, hostile: { boom: '[Thrown: no]' } });
    expect(given.extra!.cycle).toBe(cycle);
    expect(schemaErrors(out)).toEqual([]);
  });

  it('reshapes what the schema closes: user fields, tags, contexts, levels, breadcrumbs, a top-level message', () => {
    const out = boundEvent({
      message: 'legacy',
      level: 'critical',
      fingerprint: ['a', 2],
      tags: { n: 5, o: { deep: true } },
      contexts: { text: 'not an object' },
      user: { id: 42, email: 'a@b.c', ip_address: '1.2.3.4', plan: { tier: 'pro' } },
      breadcrumbs: { values: [{ message: 'x'.repeat(20_000), level: 'loud', extra: 1, category: 7 }] },
    } as never);
    expect(out.logentry).toEqual({ message: 'legacy' });
    expect(out.level).toBeUndefined();
    expect(out.fingerprint).toEqual(['a', '2']);
    expect(out.tags).toEqual({ n: '5', o: '[Object]' });
    expect(out.contexts).toEqual({ text: { value: 'not an object' } });
    // The client's address is personal data, sent only with sendDefaultPii.
    expect(out.user).toEqual({ id: '42', email: 'a@b.c', data: { plan: { tier: 'pro' } } });
    expect(boundEvent({ user: { ip_address: '1.2.3.4' } }, { sendDefaultPii: true }).user).toEqual({ ip_address: '1.2.3.4' });
    const [crumb] = out.breadcrumbs!.values;
    expect(crumb!.message).toHaveLength(8192 + 3);
    expect(crumb).not.toHaveProperty('level');
    expect(crumb).not.toHaveProperty('category');
    expect(schemaErrors(out)).toEqual([]);
  });

  it('sends what the SDK builds as it is', () => {
    const event: Event = {
      event_id: 'a'.repeat(32),
      level: 'error',
      exception: { values: [{ type: 'Error', value: 'boom', mechanism: { type: 'generic', handled: true }, stacktrace: { frames: [{ filename: 'app.js', function: 'f', lineno: 1, in_app: true }] } }] },
    };
    expect(boundEvent(event)).toEqual(event);
  });
});
