import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureException, captureMessage, getCurrentScope, getIsolationScope, type Integration } from '@faultline/core';
import { initTestClient } from './helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

describe('Client pipeline', () => {
  it('sends an event with id, timestamp, platform, sdk, release, environment and dist', async () => {
    const sent = initTestClient({ release: 'shop@1.4.0', dist: '7', serverName: 'web-1' });
    const before = Date.now() / 1000;
    const id = captureException(new Error('boom'));
    expect(await sent.client.flush(2000)).toBe(true);
    const [event] = sent.events();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(event).toMatchObject({
      event_id: id,
      platform: 'javascript',
      level: 'error',
      release: 'shop@1.4.0',
      dist: '7',
      environment: 'production',
      server_name: 'web-1',
      sdk: { name: 'faultline.javascript.test', version: '0.0.0' },
    });
    expect(event!.timestamp).toBeGreaterThanOrEqual(before);
    expect(sent.envelopes[0]![0]).toMatchObject({ event_id: id, sdk: { name: 'faultline.javascript.test' } });
  });

  it('posts to the envelope endpoint with the key in the query string', async () => {
    const sent = initTestClient();
    captureMessage('hello');
    await sent.client.flush(2000);
    expect(sent.urls[0]).toBe('https://errors.example.com/api/42/envelope/?sentry_version=7&sentry_key=public&sentry_client=faultline.javascript.test%2F0.0.0');
  });

  it('reads the scopes at capture time, not at send time', async () => {
    const sent = initTestClient();
    getIsolationScope().setTag('when', 'capture');
    captureException(new Error('x'));
    getIsolationScope().setTag('when', 'later');
    await sent.client.flush(2000);
    expect(sent.events()[0]!.tags).toEqual({ when: 'capture' });
  });

  it('runs beforeSend (sync or async) and sends what it returns', async () => {
    const sent = initTestClient({
      beforeSend: async (event) => ({ ...event, tags: { ...event.tags, seen: 'yes' } }),
    });
    captureException(new Error('x'));
    await sent.client.flush(2000);
    expect(sent.events()[0]!.tags).toEqual({ seen: 'yes' });
  });

  it('drops and counts an event that beforeSend rejects or throws on', async () => {
    let calls = 0;
    const sent = initTestClient({
      beforeSend: (event) => {
        calls++;
        if (calls === 1) return null;
        if (calls === 2) throw new Error('bug in beforeSend');
        return event;
      },
    });
    captureException(new Error('one'));
    captureException(new Error('two'));
    captureException(new Error('three'));
    await sent.client.flush(2000);
    expect(sent.events().map((e) => e.exception?.values.at(-1)?.value)).toEqual(['three']);
    const discarded = sent.clientReports().flatMap((r) => r.discarded_events);
    expect(discarded).toEqual([{ reason: 'before_send', category: 'error', quantity: 2 }]);
  });

  it('counts events dropped by sampleRate 0 and sends none', async () => {
    const sent = initTestClient({ sampleRate: 0 });
    captureException(new Error('x'));
    captureMessage('y');
    await sent.client.flush(2000);
    expect(sent.events()).toEqual([]);
    expect(sent.clientReports()[0]!.discarded_events).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 2 }]);
  });

  it('skips an event processor that throws and drops on one that returns null', async () => {
    const sent = initTestClient();
    getCurrentScope().addEventProcessor(() => {
      throw new Error('processor bug');
    });
    getCurrentScope().addEventProcessor((event) => (event.logentry?.message === 'drop me' ? null : event));
    captureMessage('keep me');
    captureMessage('drop me');
    await sent.client.flush(2000);
    expect(sent.events().map((e) => e.logentry?.message)).toEqual(['keep me']);
    expect(sent.clientReports()[0]!.discarded_events).toEqual([{ reason: 'event_processor', category: 'error', quantity: 1 }]);
  });


  it('awaits processors that return promises, skips one that rejects or whose `then` throws, and runs none inside the capture call', async () => {
    const sent = initTestClient();
    const ran: string[] = [];
    const scope = getCurrentScope();
    scope.addEventProcessor((event) => {
      ran.push('sync');
      return event;
    });
    scope.addEventProcessor(async (event) => ({ ...event, tags: { ...event.tags, later: 'yes' } }));
    scope.addEventProcessor(() => Promise.reject(new Error('async processor bug')));
    scope.addEventProcessor(
      () =>
        ({
          get then() {
            throw new Error('hostile then');
          },
        }) as never,
    );
    captureMessage('m');
    expect(ran).toEqual([]);
    await sent.client.flush(2000);
    expect(ran).toEqual(['sync']);
    expect(sent.events().map((e) => [e.logentry?.message, e.tags])).toEqual([['m', { later: 'yes' }]]);
  });
  it('runs integrations, and close() tears them down', async () => {
    const teardown = vi.fn();
    const tagger: Integration = {
      name: 'Tagger',
      processEvent: (event) => ({ ...event, tags: { ...event.tags, by: 'integration' } }),
      teardown,
    };
    const sent = initTestClient({ integrations: [tagger] });
    captureMessage('m');
    await sent.client.flush(2000);
    expect(sent.events()[0]!.tags).toEqual({ by: 'integration' });
    expect(sent.events()[0]!.sdk?.integrations).toEqual(['Tagger']);
    await sent.client.close(1000);
    expect(teardown).toHaveBeenCalledOnce();
    captureMessage('after close');
    await sent.client.flush(100);
    expect(sent.events()).toHaveLength(1);
  });

  it('sends nothing when enabled is false, and still returns an id', async () => {
    const sent = initTestClient({ enabled: false });
    expect(captureException(new Error('x'))).toMatch(/^[0-9a-f]{32}$/);
    await sent.client.flush(100);
    expect(sent.envelopes).toEqual([]);
  });

  it('warns once and does not throw for a malformed DSN', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const sent = initTestClient({ dsn: 'definitely not a dsn' });
      expect(() => captureException(new Error('x'))).not.toThrow();
      expect(await sent.client.flush(100)).toBe(true);
      expect(sent.envelopes).toEqual([]);
      expect(warn).toHaveBeenCalledWith('[Faultline]', expect.stringContaining('is not valid'));
    } finally {
      warn.mockRestore();
    }
  });

  it('puts the DSN in the envelope header only when a tunnel is used', async () => {
    const sent = initTestClient({ tunnel: 'https://my.app/tunnel' });
    captureMessage('via tunnel');
    await sent.client.flush(2000);
    expect(sent.urls[0]).toBe('https://my.app/tunnel');
    expect(sent.envelopes[0]![0].dsn).toBe('https://public@errors.example.com/42');
  });

  it('without the full pipeline (the CDN bundle), drops an event over the size limit as send_error', async () => {
    const sent = initTestClient({ fitEvent: undefined, cleanEvent: undefined });
    captureException(new Error('big extra'), { extra: { blob: 'x'.repeat(1_100_000) } });
    captureException(new Error('big user'), { user: { id: '1', blob: 'x'.repeat(1_100_000) } as never });
    captureException(new Error('small'), { extra: { blob: 'x'.repeat(1000) } });
    expect(await sent.client.flush(2000)).toBe(true);
    expect(sent.events().map((event) => event.exception?.values[0]?.value)).toEqual(['small']);
    expect(sent.clientReports().flatMap((report) => report.discarded_events)).toEqual([{ reason: 'send_error', category: 'error', quantity: 2 }]);
  });

  it('without option validation (the CDN bundle), wrongly typed options neither throw nor leak secrets', async () => {
    const options = {
      validateOptions: undefined,
      cleanEvent: undefined,
      sampleRate: 'half',
      beforeSend: 42,
      maxBreadcrumbs: 'many',
      ignoreErrors: 'e',
      denyFields: 7,
      tunnel: 5,
      normalizeDepth: 'deep',
      maxValueLength: {},
    } as never;
    const sent = initTestClient(options);
    for (let i = 0; i < 150; i++) getIsolationScope().addBreadcrumb({ message: `crumb ${i}` }, 'many' as never);
    expect(getIsolationScope().getData().breadcrumbs.length).toBeLessThanOrEqual(100);
    captureException(new Error('still sent'), { extra: { password: 'hunter2', nested: { a: { b: { c: 1 } } } } });
    expect(await sent.client.flush(2000)).toBe(true);
    const [event] = sent.events();
    expect(event?.exception?.values[0]?.value).toBe('still sent');
    expect(event?.extra?.password).toBe('[Filtered]');
    expect(event?.breadcrumbs?.values).toHaveLength(100);
    expect(sent.urls[0]).toMatch(/^https:\/\/errors\.example\.com\//);
  });

  it('never throws for a hostile message or hint, and still sends the message', async () => {
    const sent = initTestClient({ attachStacktrace: true });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => sent.client.captureMessage(proxy as never)).not.toThrow();
    expect(() => sent.client.captureException(new Error('x'), proxy as never)).not.toThrow();
    expect(sent.client.captureMessage('still works')).toMatch(/^[0-9a-f]{32}$/);
    await sent.client.flush(2000);
    expect(sent.events().map((e) => e.logentry?.message)).toContain('still works');
  });
});
