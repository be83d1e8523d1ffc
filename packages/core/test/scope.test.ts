import { describe, expect, it } from 'vitest';
import { applyScopesToEvent, Scope, type Event } from '@faultline/core';

describe('Scope', () => {
  it('keeps at most maxBreadcrumbs, dropping the oldest', () => {
    const scope = new Scope();
    for (let i = 0; i < 5; i++) scope.addBreadcrumb({ message: `b${i}` }, 3);
    const event: Event = {};
    applyScopesToEvent(event, [scope], 100);
    expect(event.breadcrumbs?.values.map((b) => b.message)).toEqual(['b2', 'b3', 'b4']);
  });

  it('records nothing when maxBreadcrumbs is 0', () => {
    const scope = new Scope().addBreadcrumb({ message: 'x' }, 0);
    expect(scope.getLastBreadcrumb()).toBeUndefined();
  });

  it('clones: changes to the copy do not reach the original', () => {
    const original = new Scope().setTag('a', '1').setExtra('e', 1).addBreadcrumb({ message: 'first' });
    const copy = original.clone().setTag('b', '2').setExtra('f', 2).addBreadcrumb({ message: 'second' }).setUser({ id: 'u' });
    const event: Event = {};
    applyScopesToEvent(event, [original], 100);
    expect(event.tags).toEqual({ a: '1' });
    expect(event.extra).toEqual({ e: 1 });
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs?.values).toHaveLength(1);
    expect(copy.getData().tags).toEqual({ a: '1', b: '2' });
  });

  it('clones: changes to the original after the clone do not reach the copy, nor a fresh scope', () => {
    const original = new Scope().setTag('a', '1').addEventProcessor((event) => event);
    const copy = original.clone();
    original.setTag('late', 'x').addBreadcrumb({ message: 'late' }).addEventProcessor((event) => event);
    expect(copy.getData().tags).toEqual({ a: '1' });
    expect(copy.getData().breadcrumbs).toEqual([]);
    expect(copy.getEventProcessors()).toHaveLength(1);
    expect(original.getEventProcessors()).toHaveLength(2);
    expect(new Scope().getData().tags).toEqual({});
  });

  it('keeps a write into what getData() returned out of other scopes', () => {
    const untouched = new Scope();
    try {
      (untouched.getData().tags as Record<string, string>).leaked = 'yes';
    } catch {
      // Frozen: strict-mode code gets a TypeError for writing into it.
    }
    expect(new Scope().getData().tags).toEqual({});
    expect(untouched.clone().getData().tags).toEqual({});
  });

  it('turns tag values into strings and removes a context set to null', () => {
    const scope = new Scope().setTag('n', 5).setTags({ ok: true }).setContext('app', { a: 1 }).setContext('app', null);
    expect(scope.getData().tags).toEqual({ n: '5', ok: 'true' });
    expect(scope.getData().contexts).toEqual({});
  });
});

describe('applyScopesToEvent', () => {
  it('lets later scopes win over earlier ones and the event win over all', () => {
    const global = new Scope().setTag('layer', 'global').setTag('g', '1').setUser({ id: 'global' });
    const isolation = new Scope().setTag('layer', 'isolation').setUser({ id: 'request-user' });
    const current = new Scope().setTag('layer', 'current').setExtra('x', 1);
    const event: Event = { tags: { own: 'yes' }, extra: { x: 'event' } };
    applyScopesToEvent(event, [global, isolation, current], 100);
    expect(event.tags).toEqual({ layer: 'current', g: '1', own: 'yes' });
    expect(event.user).toEqual({ id: 'request-user' });
    expect(event.extra).toEqual({ x: 'event' });
  });

  it('overrides the level, appends fingerprints and keeps the first transaction the event has', () => {
    const event: Event = { level: 'error', fingerprint: ['a'] };
    applyScopesToEvent(event, [new Scope().setLevel('warning').setFingerprint(['b']).setTransactionName('GET /x')], 100);
    expect(event).toMatchObject({ level: 'warning', fingerprint: ['a', 'b'], transaction: 'GET /x' });
  });

  it('takes the transaction name of the innermost scope that has one', () => {
    const event: Event = {};
    applyScopesToEvent(event, [new Scope().setTransactionName('outer'), new Scope().setTransactionName('inner')], 100);
    expect(event.transaction).toBe('inner');
  });

  it('concatenates breadcrumbs in scope order and caps the total', () => {
    const a = new Scope().addBreadcrumb({ message: 'a1' }).addBreadcrumb({ message: 'a2' });
    const b = new Scope().addBreadcrumb({ message: 'b1' });
    const event: Event = {};
    applyScopesToEvent(event, [a, b], 2);
    expect(event.breadcrumbs?.values.map((x) => x.message)).toEqual(['a2', 'b1']);
  });
});
