import { startReceiver, type Receiver } from '@faultline/testkit';
import { readFileSync } from 'node:fs';
import { BUNDLES_DIR, PACKAGE_DIR, PAGES_DIR, bundleIntegrity } from './bundle';
import { launch, type Browser, type Engine } from './browsers';
import { startStaticServer, type StaticServer } from './static-server';

export interface PageSession {
  browser: Browser;
  receiver: Receiver;
  site: StaticServer;
  /** URL of a test page (test/pages/<name>) with the receiver's DSN in `?dsn=`. */
  pageUrl(name: string, query?: string): string;
  /** Loads test/pages/<name> and waits for it. */
  open(name: string, query?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * One browser, one receiver and one static site (another origin) for a test file. Pages get the
 * bundle's integrity value and the loader snippet filled in. `routes` serves more directories.
 */
export async function startPageSession(engine: Engine, routes: Record<string, string> = {}): Promise<PageSession> {
  const integrity = bundleIntegrity();
  const loader = readFileSync(`${PACKAGE_DIR}loader.js`, 'utf8');
  const receiver = await startReceiver();
  const site = await startStaticServer({ '/bundles/': BUNDLES_DIR, '/pages/': PAGES_DIR, ...routes }, (_file, text) =>
    text
      .replace('{{LOADER}}', loader.replace('{{BUNDLE_URL}}', '/bundles/faultline.min.js?delay=300').replace('{{INTEGRITY}}', integrity))
      .replace('{{SRI}}', integrity),
  );
  let browser: Browser;
  try {
    browser = await launch(engine);
  } catch (error) {
    await receiver.close();
    await site.close();
    throw error;
  }
  const pageUrl = (name: string, query = ''): string => `${site.url}/pages/${name}?dsn=${encodeURIComponent(receiver.dsn(1))}${query}`;
  return {
    browser,
    receiver,
    site,
    pageUrl,
    open: (name, query) => browser.goto(pageUrl(name, query)),
    async close() {
      await browser.close();
      await receiver.close();
      await site.close();
    },
  };
}
