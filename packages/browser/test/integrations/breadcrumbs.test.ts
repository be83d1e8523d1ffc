import type { ReceivedBreadcrumb } from '@faultline/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, unavailable } from '../harness/browsers';
import { initCode, nextTask, run } from '../harness/in-page';
import { startPageSession, type PageSession } from '../harness/page';

for (const engine of ENGINES) {
  describe.skipIf(unavailable(engine))(`breadcrumbs in ${engine}`, () => {
    let session: PageSession;
    beforeAll(async () => {
      session = await startPageSession(engine);
    });
    afterAll(() => session?.close());
    beforeEach(async () => {
      session.receiver.reset();
      await session.open('blank.html');
    });

    /** Runs `body` after init, then sends a message and returns the breadcrumbs on it. */
    async function crumbsAfter(body: string, options = ''): Promise<ReceivedBreadcrumb[]> {
      await session.browser.evaluate(run(`${initCode(options)};\n${body}\nFaultline.captureMessage('done');\nreturn Faultline.flush(5000);`));
      const event = session.receiver.events().find((e) => e.logentry?.message === 'done');
      expect(session.receiver.violations()).toEqual([]);
      return event?.breadcrumbs?.values ?? [];
    }

    it('records console calls with protocol levels and leaves the console working', async () => {
      const crumbs = await crumbsAfter(`
        console.log('a log line', { id: 7 });
        console.warn('a warning');
        console.error(new TypeError('an error object'));
        console.assert(true, 'not recorded');
        console.assert(false, 'an assertion');`);
      expect(crumbs.map(({ category, level, message }) => ({ category, level, message }))).toEqual([
        { category: 'console', level: 'info', message: 'a log line {"id":7}' },
        { category: 'console', level: 'warning', message: 'a warning' },
        { category: 'console', level: 'error', message: 'TypeError: an error object' },
        { category: 'console', level: 'error', message: 'Assertion failed: an assertion' },
      ]);
    });

    it('records XHR and fetch with method, URL and status, and failed fetches as errors', async () => {
      const crumbs = await crumbsAfter(`
        await new Promise(function (resolve) {
          var xhr = new XMLHttpRequest();
          xhr.open('post', '/ping?from=xhr');
          xhr.addEventListener('loadend', resolve);
          xhr.send('body');
        });
        await fetch(new Request('/ping', { method: 'PUT' }));
        await fetch('http://127.0.0.1:9/refused').catch(function () {});`);
      expect(crumbs.map(({ category, level, data }) => ({ category, level, data }))).toEqual([
        { category: 'xhr', level: undefined, data: { method: 'POST', url: '/ping?from=xhr', status_code: 204 } },
        { category: 'fetch', level: undefined, data: { method: 'PUT', url: `${session.site.url}/ping`, status_code: 204 } },
        { category: 'fetch', level: 'error', data: { method: 'GET', url: 'http://127.0.0.1:9/refused' } },
      ]);
    });

    it('records navigation with from and to', async () => {
      const start = session.pageUrl('blank.html');
      const crumbs = await crumbsAfter(`
        history.pushState({}, '', '#/cart');
        history.replaceState({}, '', '#/checkout');
        history.pushState({}, '');
        await new Promise(function (resolve) { addEventListener('popstate', resolve, { once: true }); history.back(); });`);
      expect(crumbs.filter((crumb) => crumb.category === 'navigation').map((crumb) => crumb.data)).toEqual([
        { from: start, to: `${start}#/cart` },
        { from: `${start}#/cart`, to: `${start}#/checkout` },
      ]);
    });

    it('records clicks and one breadcrumb per burst of typing, with a readable target', async () => {
      await session.browser.evaluate(initCode());
      await session.browser.click('#buy');
      await session.browser.evaluate(
        run(`var input = document.getElementById('search');
          for (var i = 0; i < 5; i++) input.dispatchEvent(new KeyboardEvent('keypress', { key: 'a', bubbles: true }));
          document.getElementById('buy').dispatchEvent(new KeyboardEvent('keypress', { key: 'a', bubbles: true }));
          Faultline.captureMessage('done');
          return Faultline.flush(5000);`),
      );
      const crumbs = session.receiver.events()[0]!.breadcrumbs!.values!;
      expect(crumbs.map(({ category, message }) => ({ category, message }))).toEqual([
        { category: 'ui.click', message: 'body > button#buy.cta[type="button"]' },
        { category: 'ui.input', message: 'body > input#search[name="q"]' },
      ]);
    });

    it('passes breadcrumbs through beforeBreadcrumb and stops recording on close()', async () => {
      const crumbs = await crumbsAfter(
        `console.log('keep me');
        console.log('drop me');
        await Faultline.close(2000);
        console.log('after close');
        ${nextTask}
        ${initCode("beforeBreadcrumb: function (crumb) { return crumb.message === 'drop me' ? null : crumb; }")};`,
        "beforeBreadcrumb: function (crumb) { return crumb.message === 'drop me' ? null : crumb; }",
      );
      expect(crumbs.map((crumb) => crumb.message)).toEqual(['keep me']);
    });
  });
}
