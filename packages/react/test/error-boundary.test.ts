import type { SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumMissing, REACT_MAJORS, startReactAppSession, thrown, type ReactAppSession } from './harness/react-app';

interface Call {
  name: string;
  eventId?: string;
  componentStack?: boolean;
  message?: string;
}

describe.skipIf(chromiumMissing)('ErrorBoundary in chromium', () => {
  let session: ReactAppSession;
  beforeAll(async () => {
    session = await startReactAppSession();
  });
  afterAll(() => session?.close());
  beforeEach(() => session.receiver.reset());

  /** Every event the page captured, once its client has flushed; all valid against the schema. */
  async function eventsSent(): Promise<SentryEvent[]> {
    await session.flush();
    expect(session.receiver.violations()).toEqual([]);
    return session.receiver.events();
  }

  const calls = (): Promise<Call[]> => session.browser.evaluate<Call[]>('window.app.calls');

  for (const major of REACT_MAJORS) {
    describe(`React ${major}`, () => {
      it('renders the fallback and reports the render error once, with the component stack and the id the fallback got', async () => {
        await session.open(major, 'fallback-render');
        expect(await session.text('#message')).toBe('Checkout failed to render');
        const eventId = await session.text('#event-id');
        const shownStack = await session.text('#component-stack');

        const events = await eventsSent();
        expect(events).toHaveLength(1);
        const event = events[0]!;
        expect(event.event_id).toBe(eventId);
        expect(event.sdk).toMatchObject({ name: 'faultline.javascript.react', packages: [{ name: 'npm:@faultline/react' }, { name: 'npm:@faultline/browser' }] });
        expect(thrown(event)).toMatchObject({
          type: 'Error',
          value: 'Checkout failed to render',
          mechanism: { type: 'react.errorboundary', handled: true },
        });
        // The component stack as a linked error: its frames are the components, outermost first.
        const [componentStack] = event.exception!.values!;
        expect(componentStack).toMatchObject({ type: 'React ErrorBoundary Error', value: 'Checkout failed to render', mechanism: { source: 'cause' } });
        expect(componentStack!.stacktrace!.frames!.map((frame) => frame.function)).toEqual(['ErrorBoundary', 'Panel', 'Thrower']);
        // ... and as context, as React gave it to the boundary.
        expect(event.contexts?.react).toEqual({ componentStack: shownStack, version: expect.stringMatching(new RegExp(`^${major}\\.`)) });
        expect(shownStack).toMatch(/^\n\s+at Thrower \(.*\n\s+at section( \(<anonymous>\))?\n\s+at Panel \(/);
        // beforeCapture edits that event's scope only.
        expect(event.tags).toEqual({ area: 'checkout' });
        expect(await calls()).toEqual([
          { name: 'beforeCapture', componentStack: true, message: 'Checkout failed to render' },
          { name: 'onError', eventId, componentStack: true, message: 'Checkout failed to render' },
        ]);
      });

      it('renders the children again after resetError, calling onReset with the event id', async () => {
        await session.open(major, 'fallback-render');
        const eventId = await session.text('#event-id');
        await session.browser.evaluate('window.app.broken = false');
        await session.browser.click('#reset');
        expect(await session.text('#content')).toBe('Checkout rendered');
        expect(await session.browser.evaluate('document.querySelector("#fallback")')).toBeNull();
        expect((await calls()).at(-1)).toEqual({ name: 'onReset', eventId, message: 'Checkout failed to render' });
        expect(await eventsSent()).toHaveLength(1);
      });

      it('renders a fallback element', async () => {
        await session.open(major, 'fallback-element');
        expect(await session.text('#fallback')).toBe('Something went wrong');
        const events = await eventsSent();
        expect(events.map((event) => thrown(event).value)).toEqual(['Cart failed to render']);
        expect(thrown(events[0]!).mechanism).toMatchObject({ type: 'react.errorboundary', handled: true });
      });

      it('still reports and renders the fallback when beforeCapture and onError throw', async () => {
        await session.open(major, 'callback-throws');
        expect(await session.text('#fallback')).toBe('Still rendered');
        const events = await eventsSent();
        expect(events.map((event) => thrown(event).value)).toEqual(['Profile failed to render']);
      });

      it('reports thrown values that cannot carry the component stack, and keeps an error\'s own cause chain', async () => {
        await session.open(major, 'unusual-values');
        const shown = await session.until<string[]>(
          'document.querySelectorAll(".fallback").length === 3 ? [...document.querySelectorAll(".fallback")].map((p) => p.textContent) : null',
        );
        expect(shown).toEqual(['a plain string', 'the outer error', 'a frozen error']);
        const events = await eventsSent();
        const byValue = new Map(events.map((event) => [thrown(event).value, event]));
        expect([...byValue.keys()].sort()).toEqual(['a frozen error', 'a plain string', 'the outer error']);
        for (const event of events) {
          expect(thrown(event).mechanism).toMatchObject({ type: 'react.errorboundary', handled: true });
          expect(event.contexts?.react?.componentStack).toMatch(/^\n\s+at ThrowValue \(/);
        }
        // A string has no `cause` to hang the component stack on, and a frozen error takes none.
        expect(byValue.get('a plain string')!.exception!.values).toHaveLength(1);
        expect(byValue.get('a frozen error')!.exception!.values).toHaveLength(1);
        // The component stack goes at the end of the chain, the root cause first.
        expect(byValue.get('the outer error')!.exception!.values!.map((exception) => exception.value)).toEqual([
          'the outer error',
          'the inner error',
          'the outer error',
        ]);
        expect(byValue.get('the outer error')!.exception!.values![0]!.type).toBe('React ErrorBoundary Error');
      });

      it('wraps a component with withErrorBoundary', async () => {
        await session.open(major, 'with-error-boundary');
        const fallback = await session.text('#fallback');
        const [event, ...others] = await eventsSent();
        expect(others).toEqual([]);
        expect(fallback).toBe(`Wrapped fallback ${event!.event_id}`);
        expect(thrown(event!)).toMatchObject({ value: 'Orders failed to render', mechanism: { type: 'react.errorboundary', handled: true } });
        // The wrapper shows in the component stack under its display name (a frame without a location).
        expect(event!.contexts!.react!.componentStack).toMatch(/\n\s+at errorBoundary\(Panel\)/);
        expect(event!.exception!.values![0]!.stacktrace!.frames!.map((frame) => frame.function)).toEqual(['ErrorBoundary', 'Panel', 'Thrower']);
        expect(await calls()).toEqual([{ name: 'onError', eventId: event!.event_id, componentStack: true, message: 'Orders failed to render' }]);
      });
    });
  }
});
