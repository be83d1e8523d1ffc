import type { SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, unavailable } from '../harness/browsers';
import { initCode, nextTask, run } from '../harness/in-page';
import { startPageSession, type PageSession } from '../harness/page';

const lastException = (event: SentryEvent) => event.exception!.values!.at(-1)!;

for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`global handlers in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
    });
    afterAll(() => session?.close());
    beforeEach(async () => {
      session.receiver.reset();
      await session.open('blank.html');
    });

    it('reports an unhandled rejection right after a wrapped callback threw, and the thrown error once', async () => {
      await session.browser.evaluate(
        run(`${initCode()};
          setTimeout(function timerThrows() {
            Promise.reject(new Error('rejected right after the throw'));
            throw new Error('thrown in the timer');
          });
          ${nextTask}
          return Faultline.flush(5000);`),
      );
      const events = session.receiver.events();
      expect(events.map((event) => lastException(event).value).sort()).toEqual(['rejected right after the throw', 'thrown in the timer']);
      const rejection = events.find((event) => lastException(event).value === 'rejected right after the throw')!;
      expect(lastException(rejection).mechanism).toMatchObject({ type: 'onunhandledrejection', handled: false });
      expect(session.receiver.violations()).toEqual([]);
    });

    it('reports errors thrown outside any wrapped callback as unhandled, a thrown string where the error event says', async () => {
      await session.open('inline-errors.html');
      const events = await session.receiver.waitForEvents(2, 10_000);
      const error = events.find((event) => lastException(event).type === 'SyntaxError')!;
      expect(lastException(error)).toMatchObject({ value: 'from an inline script', mechanism: { type: 'onerror', handled: false } });
      const page = `${session.site.url}/pages/inline-errors.html`;
      const frame = lastException(error).stacktrace!.frames!.at(-1)!;
      expect(frame).toMatchObject({ function: 'inlineThrower', lineno: 14 });
      // WebKit names the page without its query string in stacks.
      expect(frame.filename!.split('?')[0]).toBe(page);

      const text = lastException(events.find((event) => event !== error)!);
      expect(text).toMatchObject({ value: 'a plain string', mechanism: { type: 'onerror', handled: false } });
      // The one frame comes from the error event: never Faultline's own code, never WebKit's "undefined".
      expect(text.stacktrace?.frames).toEqual([{ filename: expect.stringMatching(/\/pages\/inline-errors\.html/), function: '?', lineno: 19, colno: expect.any(Number), in_app: true }]);
      expect(text.stacktrace!.frames![0]!.filename!.split('?')[0]).toBe(page);
      expect(session.receiver.violations()).toEqual([]);
    });

    it('stops listening on close()', async () => {
      await session.browser.evaluate(
        run(`${initCode()};
          await Faultline.close(2000);
          setTimeout(function () { throw new Error('after close'); });
          Promise.reject(new Error('rejected after close'));
          ${nextTask}
          ${initCode()};
          Faultline.captureMessage('a new client');
          return Faultline.flush(5000);`),
      );
      expect(session.receiver.events().map((event) => event.logentry?.message ?? lastException(event).value)).toEqual(['a new client']);
    });
  });
}
