import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, unavailable } from './harness/browsers';
import { startPageSession, type PageSession } from './harness/page';

// The loader snippet (../loader.js) in a page whose bundle arrives late (the server holds it back):
// calls and an uncaught error from before it arrived are replayed once it has.
for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`the loader snippet in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
      await session.open('loader.html');
    });
    afterAll(() => session?.close());

    it('replays queued calls and the page error from before the bundle loaded', async () => {
      expect(await session.browser.evaluate('window.bundleLoadedEarly')).toBe(false);
      const events = await session.receiver.waitForEvents(2, 10_000);
      const message = events.find((event) => event.logentry?.message === 'queued before the bundle loaded');
      const error = events.find((event) => event.exception?.values?.at(-1)?.value === 'thrown before the bundle loaded');
      expect(message).toMatchObject({ level: 'info', release: 'loader@1.0.0', tags: { via: 'loader' } });
      expect(error?.exception?.values?.at(-1)).toMatchObject({ type: 'Error', mechanism: { type: 'onerror', handled: false } });
      // The line in the page as served, with the snippet filled in.
      const served = await (await fetch(session.pageUrl('loader.html'))).text();
      const line = served.split('\n').findIndex((text) => text.includes("throw new Error('thrown before")) + 1;
      expect(error?.exception?.values?.at(-1)?.stacktrace?.frames?.at(-1)).toMatchObject({ function: 'beforeTheBundle', lineno: line });
      expect(session.receiver.violations()).toEqual([]);
    });

    it('hands over to the bundle: later calls return event ids', async () => {
      const id = await session.browser.evaluate<string>("Faultline.captureMessage('after the bundle loaded')");
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      await session.receiver.waitFor((receiver) => receiver.events().some((event) => event.event_id === id), 10_000);
    });
  });
}
