import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, unavailable, type Browser } from './harness/browsers';
import { startStaticServer, type StaticServer } from './harness/static-server';

// The npm package as an app uses it: examples/browser-bundler is built with its own rollup config
// (resolving @faultline/browser to dist/esm in node_modules) and run in Chromium.
const EXAMPLE = fileURLToPath(new URL('../../../examples/browser-bundler/', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/esm/index.mjs', import.meta.url));

describe.skipIf(unavailable('chromium'))('the ESM build, bundled by an app, in chromium', () => {
  let browser: Browser;
  let receiver: Receiver;
  let site: StaticServer;
  let events: SentryEvent[];
  let eventId: string;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` (npm test builds it first)`);
    const { default: config } = await import(`${EXAMPLE}rollup.config.mjs`);
    const cwd = process.cwd();
    process.chdir(EXAMPLE);
    try {
      const bundle = await rollup({ ...config, onwarn: () => undefined });
      await bundle.write(config.output);
      await bundle.close();
    } finally {
      process.chdir(cwd);
    }
    receiver = await startReceiver();
    site = await startStaticServer({ '/': EXAMPLE });
    browser = await launch('chromium');
    await browser.goto(`${site.url}/index.html?dsn=${encodeURIComponent(receiver.dsn(7))}`);
    await browser.click('#report');
    await browser.click('#checkout');
    events = await receiver.waitForEvents(2, 20_000);
    eventId = await browser.evaluate<string>("document.querySelector('#event-id').textContent");
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await site?.close();
  });

  it('reports a caught error with the id the page was given, and an uncaught one in a listener', () => {
    expect(receiver.violations()).toEqual([]);
    const [caught, uncaught] = events;
    expect(caught!.event_id).toBe(eventId);
    expect(caught!.exception!.values!.at(-1)).toMatchObject({ type: 'Error', value: 'the cart is empty', mechanism: { handled: true } });
    expect(uncaught!.exception!.values!.at(-1)!.mechanism).toMatchObject({ type: 'instrument', handled: false, data: { function: 'addEventListener' } });
  });

  it('points the frames at the function in the app bundle', () => {
    for (const event of events) {
      const frames = event.exception!.values!.at(-1)!.stacktrace!.frames!;
      expect(frames.at(-1)).toMatchObject({ function: 'checkout', filename: `${site.url}/dist/app.js`, in_app: true });
    }
  });

  it('carries the user and the page', () => {
    for (const event of events) {
      expect(event.user).toEqual({ id: 'u-1', email: 'ada@example.com' });
      expect(event.request?.url).toContain(`${site.url}/index.html`);
      expect(event.sdk?.name).toBe('faultline.javascript.browser');
    }
  });
});
