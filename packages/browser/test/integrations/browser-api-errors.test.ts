import type { SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, unavailable } from '../harness/browsers';
import { initCode, nextTask, run } from '../harness/in-page';
import { startPageSession, type PageSession } from '../harness/page';

const lastException = (event: SentryEvent) => event.exception!.values!.at(-1)!;

for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`wrapping of browser APIs in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
    });
    afterAll(() => session?.close());
    beforeEach(async () => {
      session.receiver.reset();
      await session.open('blank.html');
    });

    it('keeps this, arguments and return values of timers, animation frames and listeners', async () => {
      const seen = await session.browser.evaluate(
        run(`${initCode()};
          var seen = {};
          var id = setTimeout(function (a, b) { seen.timer = [this === window, a, b]; }, 0, 'a', 'b');
          seen.timerId = typeof id;
          var frameDone;
          var framed = new Promise(function (resolve) { frameDone = resolve; });
          var frame = requestAnimationFrame(function (time) { seen.frame = typeof time; frameDone(); });
          seen.frameId = typeof frame;
          var button = document.getElementById('buy');
          seen.added = String(button.addEventListener('custom', function (event) { seen.listener = [this === button, event.type]; return 'ignored'; }));
          button.dispatchEvent(new Event('custom'));
          var interval = setInterval(function () { seen.interval = (seen.interval || 0) + 1; if (seen.interval === 2) clearInterval(interval); }, 1);
          await framed;
          await new Promise(function (resolve) { setTimeout(resolve, 100); });
          return seen;`),
      );
      expect(seen).toEqual({ timer: [true, 'a', 'b'], timerId: 'number', frame: 'number', frameId: 'number', added: 'undefined', listener: [true, 'custom'], interval: 2 });
    });

    it('registers a listener once however often it is added, and removes it', async () => {
      const calls = await session.browser.evaluate(
        run(`${initCode()};
          var calls = 0;
          function listener() { calls++; }
          var target = document.getElementById('buy');
          target.addEventListener('custom', listener);
          target.addEventListener('custom', listener);
          target.dispatchEvent(new Event('custom'));
          target.removeEventListener('custom', listener);
          target.dispatchEvent(new Event('custom'));
          return calls;`),
      );
      expect(calls).toBe(1);
    });

    it('wraps once however often init runs, and close() undoes it', async () => {
      const result = await session.browser.evaluate(
        run(`var original = { setTimeout: setTimeout, add: EventTarget.prototype.addEventListener, send: XMLHttpRequest.prototype.send };
          ${initCode()};
          ${initCode()};
          var once = setTimeout.__faultline_original__ === original.setTimeout;
          setTimeout(inTimer);
          ${nextTask}
          await Faultline.flush(5000);
          var calls = 0;
          function listener() { calls++; }
          document.body.addEventListener('custom', listener);
          await Faultline.close(2000);
          document.body.removeEventListener('custom', listener);
          document.body.dispatchEvent(new Event('custom'));
          return {
            once: once,
            restored: setTimeout === original.setTimeout && EventTarget.prototype.addEventListener === original.add && XMLHttpRequest.prototype.send === original.send,
            calls: calls,
          };`),
      );
      // A listener added while wrapped can still be removed after close().
      expect(result).toEqual({ once: true, restored: true, calls: 0 });
      expect(session.receiver.events().map((event) => lastException(event).value)).toEqual(['in a timer']);
    });

    it('captures errors thrown in listeners, animation frames and XHR handlers with their frames', async () => {
      await session.browser.evaluate(
        run(`${initCode()};
          document.body.addEventListener('custom', inListener);
          document.body.dispatchEvent(new Event('custom'));
          requestAnimationFrame(inFrame);
          var xhr = new XMLHttpRequest();
          xhr.open('GET', '/ping');
          xhr.onload = inXhrOnload;
          var ended = new Promise(function (resolve) { xhr.addEventListener('loadend', resolve); });
          xhr.send();
          await ended;
          await new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 50); }); });
          return Faultline.flush(5000);`),
      );
      const events = session.receiver.events();
      const byValue = Object.fromEntries(events.map((event) => [lastException(event).value, lastException(event)]));
      expect(byValue['in a listener']!.mechanism).toEqual({ type: 'instrument', handled: false, data: { function: 'addEventListener', handler: 'custom' } });
      expect(byValue['in an animation frame']!.mechanism).toMatchObject({ handled: false, data: { function: 'requestAnimationFrame' } });
      expect(byValue['in an XHR onload']!.mechanism).toMatchObject({ handled: false, data: { function: 'onload' } });
      // V8 names a listener after its receiver: `HTMLBodyElement.inListener`.
      expect(byValue['in a listener']!.stacktrace!.frames!.at(-1)!.function).toMatch(/inListener$/);
      expect(byValue['in an animation frame']!.stacktrace!.frames!.at(-1)!.function).toBe('inFrame');
      expect(byValue['in an XHR onload']!.stacktrace!.frames!.at(-1)!.function).toMatch(/inXhrOnload$/);
      expect(events).toHaveLength(3);
      expect(session.receiver.violations()).toEqual([]);
    });
  });
}
