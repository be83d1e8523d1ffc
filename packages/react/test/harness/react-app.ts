// The test app (../app/main.tsx) bundled with React 18 and with React 19 against the built
// @faultline/react (dist/esm, as an app gets it from npm), served from one 127.0.0.1 origin and
// reporting to a testkit receiver on another, in one Chromium per test file.
import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { launch, unavailable, type Browser } from '../../../browser/test/harness/browsers';
import { startStaticServer, type StaticServer } from '../../../browser/test/harness/static-server';

export type ReactMajor = 18 | 19;
export const REACT_MAJORS: ReactMajor[] = [18, 19];

const APP_DIR = fileURLToPath(new URL('../app/', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/esm/index.mjs', import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing = unavailable('chromium');

export interface ReactAppSession {
  browser: Browser;
  receiver: Receiver;
  /** Loads the app built with React `major`, rendering `scenario`. */
  open(major: ReactMajor, scenario: string): Promise<void>;
  /** The text of the first element matching `selector`, once it is in the page. */
  text(selector: string): Promise<string>;
  /** The value of a page expression, once it is neither null nor undefined. */
  until<T>(expression: string): Promise<T>;
  /** Flushes the page's client, so that every event it captured has arrived. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startReactAppSession(majors: ReactMajor[] = REACT_MAJORS): Promise<ReactAppSession> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` (npm test builds it first)`);
  const out = mkdtempSync(path.join(tmpdir(), 'faultline-react-app-'));
  const stops: Array<() => Promise<unknown> | void> = [() => rmSync(out, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const routes: Record<string, string> = {};
    for (const major of majors) {
      const dir = path.join(out, `react${major}`);
      await bundleApp(major, dir);
      routes[`/react${major}/`] = dir;
    }
    const site: StaticServer = await startStaticServer(routes);
    stops.push(() => site.close());
    const receiver = await startReceiver();
    stops.push(() => receiver.close());
    const browser = await launch('chromium');
    stops.push(() => browser.close());
    const until = async <T>(expression: string): Promise<T> => {
      for (let tries = 0; tries < 200; tries++) {
        const found = await browser.evaluate<T | null>(`(${expression}) ?? null`);
        if (found !== null) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`${expression} never had a value in the page`);
    };
    return {
      browser,
      receiver,
      open: (major, scenario) =>
        browser.goto(`${site.url}/react${major}/index.html?scenario=${scenario}&dsn=${encodeURIComponent(receiver.dsn(1))}`),
      text: (selector) => until<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent`),
      until,
      async flush() {
        if (!(await browser.evaluate<boolean>('window.app.flush(5000)'))) throw new Error('the page could not flush its events');
      },
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An ordinary production build of the app: React's production files, @faultline/react's dist. */
async function bundleApp(major: ReactMajor, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const bundle = await rolldown({
    input: path.join(APP_DIR, 'main.tsx'),
    platform: 'browser',
    // The repository's tsconfig maps @faultline/* to the sources; the app must get the built packages.
    tsconfig: false,
    resolve: { alias: { react: packageDir(`react${major}`), 'react-dom': packageDir(`react-dom${major}`) } },
    transform: { jsx: 'react-jsx', define: { 'process.env.NODE_ENV': '"production"' } },
    logLevel: 'warn',
  });
  try {
    await bundle.write({ file: path.join(dir, 'app.js'), format: 'iife', sourcemap: true });
  } finally {
    await bundle.close();
  }
  copyFileSync(path.join(APP_DIR, 'index.html'), path.join(dir, 'index.html'));
}

/** The exception that was thrown (linked errors come before it). */
export const thrown = (event: SentryEvent) => event.exception!.values!.at(-1)!;
