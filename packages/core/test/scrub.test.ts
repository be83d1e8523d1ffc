import { afterEach, describe, expect, it, vi } from 'vitest';
import { addBreadcrumb, captureException, getCurrentScope, setContext, setExtra, setUser, type Event } from '@faultline/core';
import { normalizeEvent } from '../src/event-limits';
import { DEFAULT_DENY_FIELDS, FILTERED, fieldMatcher } from '../src/scrub';
import { initTestClient } from './helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

/** What an app typically puts on its scopes, secrets among it. */
function setSecrets(): void {
  setExtra('password', 'hunter2');
  setExtra('order', { id: 7, paymentToken: 'tok_live_123', nested: { API_KEY: 'k' } });
  setContext('upstream', { url: 'https://api.example.com', Authorization: 'Bearer abc', headers: [['Cookie', 'sid=1'], ['Accept', 'json']] });
  setUser({ id: '42', ip_address: '203.0.113.9', session_id: 's3cr3t', plan: 'pro' } as never);
  addBreadcrumb({ category: 'auth', message: 'login', data: { username: 'ann', client_secret: 'xyz', attempt: 2 } });
}

describe('secret-looking fields', () => {
  it('are sent as [Filtered] in extras, contexts, user data and breadcrumb data, and the client IP is left out', async () => {
    const sent = initTestClient();
    setSecrets();
    captureException(new Error('with secrets around'));
    await sent.client.flush(1000);
    const [event] = sent.events();

    expect(event!.extra).toEqual({ password: FILTERED, order: { id: 7, paymentToken: FILTERED, nested: { API_KEY: FILTERED } } });
    expect(event!.contexts!.upstream).toEqual({ url: 'https://api.example.com', Authorization: FILTERED, headers: [['Cookie', FILTERED], ['Accept', 'json']] });
    expect(event!.user).toEqual({ id: '42', data: { session_id: FILTERED, plan: 'pro' } });
    expect(event!.breadcrumbs!.values.at(-1)!.data).toEqual({ username: 'ann', client_secret: FILTERED, attempt: 2 });
    expect(JSON.stringify(sent.envelopes)).not.toMatch(/hunter2|tok_live_123|Bearer abc|s3cr3t|xyz|203\.0\.113\.9|sid=1/);
  });

  it('are sent as they are with sendDefaultPii: true', async () => {
    const sent = initTestClient({ sendDefaultPii: true });
    setSecrets();
    captureException(new Error('with consent'));
    await sent.client.flush(1000);
    const [event] = sent.events();
    expect(event!.extra!.password).toBe('hunter2');
    expect(event!.user).toMatchObject({ ip_address: '203.0.113.9', data: { session_id: 's3cr3t' } });
  });

  it('follow the denyFields option when given: strings anywhere in the name, any case, and RegExps', async () => {
    const sent = initTestClient({ denyFields: ['ssn', /^card_/] });
    setExtra('customer_SSN', '123-45-6789');
    setExtra('card_number', '4111');
    setExtra('discard_reason', 'kept: the pattern is anchored');
    setExtra('password', 'no longer on the list');
    captureException(new Error('custom list'));
    await sent.client.flush(1000);
    expect(sent.events()[0]!.extra).toEqual({
      customer_SSN: FILTERED,
      card_number: FILTERED,
      discard_reason: 'kept: the pattern is anchored',
      password: 'no longer on the list',
    });
  });
});

describe('the denyFields option', () => {
  it('warns once about a value that is not a list of strings and RegExps, and the default list applies', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sent = initTestClient({ denyFields: 'ssn' as never });
    expect(warn.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringContaining('Option `denyFields` must be an array of strings and RegExps')]);
    warn.mockRestore();
    setExtra('password', 'hunter2');
    captureException(new Error('default list'));
    await sent.client.flush(1000);
    expect(sent.events()[0]!.extra).toEqual({ password: FILTERED });
  });
});

describe('normalizeEvent, filtering', () => {
  it('filters request headers, data, env and query string, and drops cookies and the client address without sendDefaultPii', () => {
    const event = normalizeEvent({
      request: {
        url: 'https://shop.example.com/pay',
        query_string: 'page=2&access_token=abc&Api%5FKey=k',
        headers: { 'x-api-key': 'k', accept: 'json', 'X-Forwarded-For': '203.0.113.9', 'Proxy-Authorization': 'Basic x' },
        cookies: { sid: '1' },
        data: { card: '4111', password: 'p' },
        env: { REMOTE_ADDR: '203.0.113.9', NODE_ENV: 'production' },
      },
    } as Event);
    expect(event.request).toEqual({
      url: 'https://shop.example.com/pay',
      query_string: `page=2&access_token=${encodeURIComponent(FILTERED)}&Api%5FKey=${encodeURIComponent(FILTERED)}`,
      headers: { 'x-api-key': FILTERED, accept: 'json', 'Proxy-Authorization': FILTERED },
      data: { card: '4111', password: FILTERED },
      env: { NODE_ENV: 'production' },
    });
  });

  it('never throws, whatever the event holds', () => {
    const deep: Record<string, unknown> = {};
    let node = deep;
    for (let i = 0; i < 1000; i++) node = (node.child = {}) as Record<string, unknown>;
    expect(() => normalizeEvent({ extra: deep, contexts: null, user: 'x', breadcrumbs: { values: [null, 1, { data: [1, [2]] }] } } as never, { depth: 100 })).not.toThrow();
  });

  it('matches default names anywhere, in any case, and compiles each list once', () => {
    const matches = fieldMatcher(DEFAULT_DENY_FIELDS)!;
    expect(['Authorization', 'X-CSRF-Token', 'db_password', 'set-cookie', 'sessionId', 'stripeToken'].every(matches)).toBe(true);
    expect(['id', 'message', 'url', 'status_code'].some(matches)).toBe(false);
    expect(fieldMatcher(DEFAULT_DENY_FIELDS)).toBe(matches);
    expect(fieldMatcher([])).toBeUndefined();
  });
});
