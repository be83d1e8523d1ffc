import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLES_DIR, PAGES_DIR, bundleIntegrity } from './harness/bundle';
import { ENGINES, launch, unavailable, type Browser } from './harness/browsers';
import { initCode, run } from './harness/in-page';
import { startPageSession, type PageSession } from './harness/page';
import { startStaticServer, type StaticServer } from './harness/static-server';

// The CDN bundle in each real engine: a page from one origin loads faultline.min.js with its
// integrity value and reports to a receiver on another origin.
for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`CDN bundle in ${engine}`, () => {
    let browser: Browser;
    let receiver: Receiver;
    let site: StaticServer;
    let events: SentryEvent[];
    let pageUrl: string;
    let userAgent: string;

    beforeAll(async () => {
      const integrity = bundleIntegrity();
      receiver = await startReceiver();
      site = await startStaticServer({ '/bundles/': BUNDLES_DIR, '/pages/': PAGES_DIR }, (_file, text) => text.replace('{{SRI}}', integrity));
      browser = await launch(engine);
      pageUrl = `${site.url}/pages/cdn.html?dsn=${encodeURIComponent(receiver.dsn(42))}`;
      await browser.goto(pageUrl);
      await browser.click('#buy');
      userAgent = await browser.evaluate<string>('window.runScenario()');
      events = await receiver.waitForEvents(4, 20_000);
    });

    afterAll(async () => {
      await browser?.close();
      await receiver?.close();
      await site?.close();
    });

    const byValue = (value: string): SentryEvent => {
      const event = events.find((e) => e.exception?.values?.some((x) => x.value === value));
      expect(event, `an event for "${value}"`).toBeDefined();
      return event!;
    };
    const throwSite = (event: SentryEvent) => {
      const values = event.exception!.values!;
      const frames = values[values.length - 1]!.stacktrace!.frames!;
      return frames[frames.length - 1]!;
    };

    it('delivers four events, all valid against the schema', () => {
      expect(events).toHaveLength(4);
      expect(receiver.violations()).toEqual([]);
    });

    it('reports a handled error with the frame where the page threw it', () => {
      const event = byValue('handled in the page');
      const exception = event.exception!.values!.at(-1)!;
      expect(exception.type).toBe('Error');
      expect(exception.mechanism).toMatchObject({ handled: true });
      expect(throwSite(event)).toMatchObject({ function: 'handledError', lineno: 8, in_app: true });
      expect(throwSite(event).filename).toBe(`${site.url}/pages/app.js`);
    });

    it('reports a message at its level', () => {
      const event = events.find((e) => e.logentry?.message === 'a message from the page');
      expect(event).toMatchObject({ level: 'warning' });
    });

    it('reports an uncaught error in a timer as unhandled, with its frame', () => {
      const event = byValue('uncaught in a timer');
      const exception = event.exception!.values!.at(-1)!;
      expect(exception.type).toBe('TypeError');
      expect(exception.mechanism).toMatchObject({ handled: false });
      expect(throwSite(event)).toMatchObject({ function: 'timerCallback', lineno: 15 });
      // The wrapper in the bundle around the callback is on the stack, but it is not the app's code.
      const sdkFrames = exception.stacktrace!.frames!.filter((frame) => frame.filename!.includes('/bundles/'));
      expect(sdkFrames.length).toBeGreaterThan(0);
      expect(sdkFrames.every((frame) => frame.in_app === false)).toBe(true);
    });

    it('reports an unhandled rejection as unhandled, with its frame', () => {
      const event = byValue('rejected and never handled');
      const exception = event.exception!.values!.at(-1)!;
      expect(exception).toMatchObject({ type: 'RangeError', mechanism: { type: 'onunhandledrejection', handled: false } });
      expect(throwSite(event)).toMatchObject({ function: 'rejectLater', lineno: 19 });
    });

    it('puts breadcrumbs for the click, the console line and the fetch on the events', () => {
      const crumbs = byValue('uncaught in a timer').breadcrumbs!.values!;
      expect(crumbs).toContainEqual(expect.objectContaining({ category: 'ui.click', message: expect.stringContaining('button#buy.cta') }));
      expect(crumbs).toContainEqual(expect.objectContaining({ category: 'console', level: 'info', message: 'page console line' }));
      expect(crumbs).toContainEqual(
        expect.objectContaining({ category: 'fetch', data: expect.objectContaining({ method: 'GET', url: '/ping', status_code: 204 }) }),
      );
      // Faultline's own requests to the receiver are not breadcrumbs.
      expect(crumbs.filter((crumb) => String(crumb.data?.url ?? '').includes('/envelope/'))).toEqual([]);
    });

    it('adds the page URL, the user agent, release and scope tags to every event', () => {
      for (const event of events) {
        expect(event.request).toMatchObject({ url: pageUrl, headers: { 'User-Agent': userAgent } });
        expect(event).toMatchObject({ release: 'page@1.0.0', environment: 'test', platform: 'javascript', tags: { page: 'cdn' } });
        expect(event.sdk?.name).toBe('faultline.javascript.browser');
      }
    });

    it('sends without a CORS preflight', () => {
      expect(receiver.requests().filter((request) => request.method === 'OPTIONS')).toEqual([]);
    });
  });

  // The bundle leaves core's full pipeline to the npm package (README: "How the CDN bundle differs").
  describe.skipIf(unavailable(engine))(`CDN bundle's lighter pipeline in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
      await session.open('blank.html');
    });
    afterAll(() => session?.close());

    it('survives wrongly typed options, still filters secrets, and drops an event too large to send as send_error', async () => {
      const result = await session.browser.evaluate<string>(
        run(`${initCode("sampleRate: 'all', beforeSend: 'no', maxBreadcrumbs: 'many', ignoreErrors: 'e', denyFields: 3")};
          for (var i = 0; i < 150; i++) Faultline.addBreadcrumb({ message: 'crumb ' + i });
          Faultline.captureException(new Error('sent despite the options'), { extra: { password: 'hunter2' } });
          Faultline.captureException(new Error('too large'), { user: { id: '1', blob: 'x'.repeat(1100000) } });
          await Faultline.close(5000);
          return 'page ok';`),
      );
      expect(result).toBe('page ok');
      const events = session.receiver.events();
      expect(events.map((event) => event.exception?.values?.at(-1)?.value)).toEqual(['sent despite the options']);
      expect(events[0]!.extra).toEqual({ password: '[Filtered]' });
      expect(events[0]!.breadcrumbs!.values).toHaveLength(100);
      const discarded = session.receiver.clientReports().flatMap((report) => report.discarded_events);
      expect(discarded).toEqual([{ reason: 'send_error', category: 'error', quantity: 1 }]);
      expect(session.receiver.violations()).toEqual([]);
    });
  });
}
