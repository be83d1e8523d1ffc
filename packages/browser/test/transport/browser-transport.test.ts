import type { SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, unavailable } from '../harness/browsers';
import { initCode, run } from '../harness/in-page';
import { buildNpmBundle } from '../harness/npm-bundle';
import { startPageSession, type PageSession } from '../harness/page';

const valueOf = (event: SentryEvent) => event.logentry?.message ?? event.exception?.values?.at(-1)?.value;
const storedCount = `new Promise(function (resolve) {
  var open = indexedDB.open('faultline-offline');
  open.onsuccess = function () {
    var db = open.result;
    if (!db.objectStoreNames.contains('envelopes')) return resolve(0);
    var count = db.transaction('envelopes').objectStore('envelopes').count();
    count.onsuccess = function () { resolve(count.result); db.close(); };
  };
})`;

for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`the browser transport in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
    });
    afterAll(() => session?.close());
    beforeEach(async () => {
      session.receiver.reset();
      await session.receiver.up().catch(() => undefined);
      await session.open('blank.html');
    });

    it('delivers events above the 64 KiB keepalive quota, and small ones', async () => {
      await session.browser.evaluate(
        run(`${initCode('maxValueLength: 200000')};
          Faultline.setExtra('big', new Array(100001).join('x'));
          Faultline.captureMessage('a large event');
          Faultline.setExtra('big', undefined);
          Faultline.captureMessage('a small event');
          return Faultline.flush(5000);`),
      );
      const events = session.receiver.events();
      expect(events.map(valueOf)).toEqual(['a large event', 'a small event']);
      expect(String(events[0]!.extra?.big).length).toBe(100_000);
      expect(session.receiver.requests().every((request) => request.method === 'POST')).toBe(true);
    });

    it('sends what is still queued with sendBeacon on pagehide, and not again by fetch', async () => {
      // The first request is held by the receiver, so the next two wait in the queue behind it.
      session.receiver.respond({ delayMs: 1000 });
      const flushed = await session.browser.evaluate(
        run(`${initCode()};
          Faultline.captureMessage('in flight');
          Faultline.captureMessage('queued one');
          Faultline.captureMessage('queued two');
          await new Promise(function (resolve) { setTimeout(resolve, 200); });
          dispatchEvent(new Event('pagehide'));
          return Faultline.flush(5000);`),
      );
      expect(flushed).toBe(true);
      expect(session.receiver.events().map(valueOf).sort()).toEqual(['in flight', 'queued one', 'queued two']);
      // Chromium marks beacons `no-cors`; the keepalive fetch in flight is a `cors` request.
      if (engine === 'chromium') expect(session.receiver.requests().map((request) => request.headers['sec-fetch-mode']).sort()).toEqual(['cors', 'no-cors', 'no-cors']);
    });

    it('delivers what was queued when the page navigates away', async () => {
      session.receiver.respond({ delayMs: 1000 });
      await session.browser.evaluate(
        run(`${initCode()};
          Faultline.captureMessage('first');
          Faultline.captureMessage('second');
          Faultline.captureMessage('third');
          await new Promise(function (resolve) { setTimeout(resolve, 200); });`),
      );
      await session.browser.goto('about:blank');
      await session.receiver.waitFor((receiver) => receiver.events().length >= 3, 10_000);
      expect(session.receiver.events().map(valueOf).sort()).toEqual(['first', 'second', 'third']);
    });

    it('keeps nothing in IndexedDB: the offline store is the npm package\'s only', async () => {
      await session.receiver.down();
      await session.browser.evaluate(
        run(`${initCode('transportOptions: { retry: { attempts: 1 } }')};
          Faultline.captureMessage('lost to the network');
          await Faultline.flush(5000);
          await new Promise(function (resolve) { setTimeout(resolve, 300); });`),
      );
      expect(await session.browser.evaluate<number>(storedCount)).toBe(0);
    });

    it('tries each envelope once: a 503 is counted as send_error, not tried again', async () => {
      session.receiver.respond({ status: 503 });
      await session.browser.evaluate(
        run(`${initCode()};
          Faultline.captureMessage('answered with 503');
          await Faultline.flush(5000);
          return Faultline.flush(5000);`),
      );
      const envelopes = session.receiver.requests().filter((request) => request.path.includes('/envelope/'));
      // The event's one try, then the client report of the next flush.
      expect(envelopes.map((request) => request.status)).toEqual([503, 200]);
      expect(session.receiver.discarded()).toEqual({ 'send_error:error': 1 });
    });

    it('reads the rate limits of a cross-origin answer: no request while limited, a client report after', async () => {
      session.receiver.respond({ status: 429, headers: { 'X-Sentry-Rate-Limits': '60:error:organization:quota' } });
      await session.browser.evaluate(
        run(`${initCode()};
          Faultline.captureMessage('answered with 429');
          await Faultline.flush(5000);
          Faultline.captureMessage('not sent while limited');
          return Faultline.flush(5000);`),
      );
      const envelopes = session.receiver.requests().filter((request) => request.path.includes('/envelope/'));
      // The 429, then the client report of the next flush; nothing for the limited message.
      expect(envelopes.map((request) => request.status)).toEqual([429, 200]);
      expect(session.receiver.events()).toEqual([]);
      expect(session.receiver.discarded()).toEqual({ 'ratelimit_backoff:error': 1 });
    });
  });
}

// The IndexedDB store for what the network lost is the npm package's: the CDN bundle leaves it out
// to stay small. These pages load the npm build (dist/esm, bundled as an app would).
let npmBundle: Promise<string> | undefined;

for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`the npm package's offline store in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine, { '/npm/': await (npmBundle ??= buildNpmBundle()) });
    });
    afterAll(() => session?.close());
    beforeEach(async () => {
      session.receiver.reset();
      await session.receiver.up().catch(() => undefined);
      await session.open('npm.html');
    });

    async function waitForStored(count: number): Promise<void> {
      for (let i = 0; i < 100 && (await session.browser.evaluate<number>(storedCount)) !== count; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await session.browser.evaluate<number>(storedCount)).toBe(count);
    }

    it('keeps events lost to the network in IndexedDB and sends them when back online', async () => {
      await session.receiver.down();
      await session.browser.evaluate(
        run(`${initCode('transportOptions: { retry: { attempts: 1 } }')};
          Faultline.captureMessage('sent while the server was down');
          return Faultline.flush(5000);`),
      );
      await waitForStored(1);
      await session.receiver.up();
      await session.browser.evaluate("dispatchEvent(new Event('online'))");
      const [event] = await session.receiver.waitForEvents(1, 10_000);
      expect(valueOf(event!)).toBe('sent while the server was down');
      await waitForStored(0);
    });

    it('tries a 5xx again before counting it', async () => {
      session.receiver.respond({ status: 503 });
      await session.browser.evaluate(
        run(`${initCode('transportOptions: { retry: { attempts: 2, baseDelayMs: 10 } }')};
          Faultline.captureMessage('answered with 503, then 200');
          return Faultline.flush(5000);`),
      );
      const envelopes = session.receiver.requests().filter((request) => request.path.includes('/envelope/'));
      expect(envelopes.map((request) => request.status)).toEqual([503, 200]);
      expect(session.receiver.events().map(valueOf)).toEqual(['answered with 503, then 200']);
    });

    it('sends stored events on the next page load', async () => {
      await session.receiver.down();
      await session.browser.evaluate(
        run(`${initCode('transportOptions: { retry: { attempts: 1 } }')};
          Faultline.captureException(new Error('lost before the reload'));
          return Faultline.flush(5000);`),
      );
      await waitForStored(1);
      await session.receiver.up();
      await session.open('npm.html');
      await session.browser.evaluate(initCode());
      const [event] = await session.receiver.waitForEvents(1, 10_000);
      expect(valueOf(event!)).toBe('lost before the reload');
      expect(session.receiver.violations()).toEqual([]);
    });
  });
}
