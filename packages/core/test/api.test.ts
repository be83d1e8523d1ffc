import { afterEach, describe, expect, it } from 'vitest';
import {
  addBreadcrumb,
  captureException,
  captureMessage,
  createStackParser,
  getCurrentScope,
  lastEventId,
  setContext,
  setExtra,
  setTag,
  setUser,
  withIsolationScope,
  withScope,
} from '@faultline/core';
import { initTestClient } from './helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

describe('errors API', () => {
  it('puts user, tags, extra, contexts and breadcrumbs from the scopes on the event', async () => {
    const sent = initTestClient();
    setUser({ id: '42', email: 'a@example.com' });
    setTag('region', 'eu');
    setExtra('cart', { items: 3 });
    setContext('order', { id: 'o-1' });
    addBreadcrumb({ category: 'ui.click', message: 'button#buy' });
    captureException(new Error('checkout failed'));
    await sent.client.flush(2000);
    const [event] = sent.events();
    expect(event).toMatchObject({
      user: { id: '42', email: 'a@example.com' },
      tags: { region: 'eu' },
      extra: { cart: { items: 3 } },
      contexts: { order: { id: 'o-1' } },
      breadcrumbs: { values: [{ category: 'ui.click', message: 'button#buy', timestamp: expect.any(Number) }] },
    });
  });

  it('keeps withScope changes inside the callback', async () => {
    const sent = initTestClient();
    withScope((scope) => {
      scope.setTag('inside', 'yes');
      captureMessage('inside');
    });
    captureMessage('outside');
    await sent.client.flush(2000);
    const [inside, outside] = sent.events();
    expect(inside!.tags).toEqual({ inside: 'yes' });
    expect(outside!.tags).toBeUndefined();
  });

  it('takes a capture context as second argument', async () => {
    const sent = initTestClient();
    captureException(new Error('x'), { tags: { via: 'context' }, level: 'fatal', fingerprint: ['custom'] });
    captureMessage('careful', 'warning');
    await sent.client.flush(2000);
    const [error, message] = sent.events();
    expect(error).toMatchObject({ tags: { via: 'context' }, level: 'fatal', fingerprint: ['custom'] });
    expect(message).toMatchObject({ level: 'warning', logentry: { message: 'careful' } });
    expect(getCurrentScope().getData().tags).toEqual({});
  });

  it('lastEventId returns the id of the last capture in this isolation scope', async () => {
    initTestClient();
    const outer = captureMessage('outer');
    const inner = withIsolationScope(() => {
      const id = captureMessage('inner');
      expect(lastEventId()).toBe(id);
      return id;
    });
    expect(inner).not.toBe(outer);
    expect(lastEventId()).toBe(outer);
  });

  it('applies beforeBreadcrumb: null drops, a throw keeps the breadcrumb as it was', async () => {
    let calls = 0;
    const sent = initTestClient({
      beforeBreadcrumb: (crumb) => {
        calls++;
        if (crumb.message === 'secret') return null;
        if (crumb.message === 'explode') throw new Error('bug');
        return { ...crumb, data: { edited: true } };
      },
    });
    addBreadcrumb({ message: 'secret' });
    addBreadcrumb({ message: 'explode' });
    addBreadcrumb({ message: 'normal' });
    captureMessage('m');
    await sent.client.flush(2000);
    expect(calls).toBe(3);
    expect(sent.events()[0]!.breadcrumbs!.values.map((b) => [b.message, b.data])).toEqual([
      ['explode', undefined],
      ['normal', { edited: true }],
    ]);
  });

  it('keeps no breadcrumbs with maxBreadcrumbs 0', async () => {
    const sent = initTestClient({ maxBreadcrumbs: 0 });
    addBreadcrumb({ message: 'x' });
    captureMessage('m');
    await sent.client.flush(2000);
    expect(sent.events()[0]!.breadcrumbs).toBeUndefined();
  });

  it('gives a captured string the stack of the capture site, without the SDK frames', async () => {
    const sent = initTestClient({ stackParser: createStackParser() });
    function reportFailure() {
      captureException('payment failed');
    }
    reportFailure();
    await sent.client.flush(2000);
    const frames = sent.events()[0]!.exception!.values[0]!.stacktrace!.frames;
    expect(frames.at(-1)).toMatchObject({ function: 'reportFailure', filename: expect.stringContaining('api.test.ts') });
  });

  it('never throws, even for nonsense arguments', () => {
    initTestClient();
    expect(() => {
      addBreadcrumb(null as never);
      setTag(undefined as never, undefined);
      setUser(undefined as never);
      setContext(42 as never, 'x' as never);
      captureMessage(undefined as never, 'nonsense' as never);
    }).not.toThrow();
  });
});
