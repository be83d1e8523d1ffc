import type { SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumMissing, startReactAppSession, thrown, type ReactAppSession } from './harness/react-app';

// createRoot's onUncaughtError, onCaughtError and onRecoverableError exist from React 19 on.
describe.skipIf(chromiumMissing)('reactErrorHandler as React 19 root options, in chromium', () => {
  let session: ReactAppSession;
  beforeAll(async () => {
    session = await startReactAppSession([19]);
  });
  afterAll(() => session?.close());
  beforeEach(() => session.receiver.reset());

  async function eventsSent(): Promise<SentryEvent[]> {
    await session.flush();
    expect(session.receiver.violations()).toEqual([]);
    return session.receiver.events();
  }

  const componentFrames = (event: SentryEvent) => event.exception!.values![0]!.stacktrace!.frames!.map((frame) => frame.function);

  it('reports an uncaught render error once, with the component stack, and gives the callback its id', async () => {
    await session.open(19, 'root-uncaught');
    const [call] = await session.until<Array<{ name: string; eventId: string }>>('window.app.calls.length ? window.app.calls : null');
    const events = await eventsSent();
    // React's own handler would also have sent it to window.onerror; ours replaces it.
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(call).toEqual({ name: 'onUncaughtError', eventId: event.event_id, componentStack: true, message: 'Dashboard failed to render' });
    expect(thrown(event)).toMatchObject({ value: 'Dashboard failed to render', mechanism: { type: 'react.errorhandler', handled: true } });
    expect(componentFrames(event)).toEqual(['Panel', 'Thrower']);
    expect(event.contexts?.react?.componentStack).toMatch(/^\n\s+at Thrower \(/);
    // React unmounted the whole tree.
    expect(await session.browser.evaluate('document.querySelector("#root").innerHTML')).toBe('');
  });

  it('leaves an error caught by a Faultline ErrorBoundary to the boundary: one event, the boundary\'s', async () => {
    await session.open(19, 'root-caught-by-faultline');
    const eventId = await session.text('#event-id');
    const events = await eventsSent();
    expect(events.map((event) => event.event_id)).toEqual([eventId]);
    expect(thrown(events[0]!).mechanism).toMatchObject({ type: 'react.errorboundary', handled: true });
  });

  it('reports an error caught by another error boundary as handled', async () => {
    await session.open(19, 'root-caught-by-other');
    expect(await session.text('#fallback')).toBe('Plain boundary fallback');
    const events = await eventsSent();
    expect(events).toHaveLength(1);
    expect(thrown(events[0]!)).toMatchObject({ value: 'Settings failed to render', mechanism: { type: 'react.errorhandler', handled: true } });
    expect(componentFrames(events[0]!)).toEqual(['PlainBoundary', 'Panel', 'Thrower']);
  });

  it('reports an error React recovered from, unhandled when no callback handles it, with the original error as its cause', async () => {
    await session.open(19, 'root-recoverable');
    expect(await session.text('#content')).toBe('Feed rendered');
    const events = await eventsSent();
    expect(events).toHaveLength(1);
    const values = events[0]!.exception!.values!;
    // React wraps what it recovered from in its own error (#520 in production), the thrown one as cause.
    expect(values.at(-1)!.mechanism).toMatchObject({ type: 'react.errorhandler', handled: false });
    expect(values.at(-2)).toMatchObject({ value: 'Feed failed once', mechanism: { source: 'cause' } });
    expect(componentFrames(events[0]!)).toEqual(['Panel', 'Thrower']);
  });
});
