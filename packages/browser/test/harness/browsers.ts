// Starts the three real browsers exactly as ../shared/browsers/README.md says (those flags keep them
// off the internet), each with a fresh profile, and stops them by process id, also on failure.
//   const browser = await launch('firefox');
//   await browser.goto(url); await browser.click('#buy'); await browser.evaluate('document.title');
//   await browser.close();
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Engine = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: Engine[] = ['chromium', 'firefox', 'webkit'];

export interface Browser {
  readonly engine: Engine;
  /** Loads `url` in the one page and waits for its `load` event. */
  goto(url: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page; a promise it gives is awaited. JSON values only. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** A real (trusted) click on the first element matching `selector`. */
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';
const FIREFOX = '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB_RUN = '/usr/bin/xvfb-run';
// A copy of ../shared/browsers/firefox-user.js: loopback only, no telemetry, no updates.
const FIREFOX_PREFS = fileURLToPath(new URL('./firefox-user.js', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=MediaRouter,OptimizationHints',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

const warned = new Set<Engine>();

/**
 * Why `engine` cannot run on this machine, or undefined when it can. Tests skip on a reason, which is
 * printed once per test file.
 */
export function unavailable(engine: Engine): string | undefined {
  const needed = engine === 'chromium' ? [CHROMIUM] : engine === 'firefox' ? [FIREFOX, FIREFOX_PREFS] : [WEBKIT_DRIVER, MINIBROWSER, XVFB_RUN];
  const missing = needed.filter((file) => !existsSync(file));
  if (!missing.length) return undefined;
  const reason = `${engine} is not installed (missing ${missing.join(', ')}), so its tests are skipped; install it with: apt-get install -y --no-install-recommends chromium firefox-esr xvfb xauth webkit2gtk-driver`;
  if (!warned.has(engine)) console.warn(`[skip] ${reason}`);
  warned.add(engine);
  return reason;
}

export async function launch(engine: Engine): Promise<Browser> {
  const reason = unavailable(engine);
  if (reason) throw new Error(reason);
  const profile = mkdtempSync(path.join(tmpdir(), `faultline-${engine}-`));
  const cleanup = (): void => rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  try {
    if (engine === 'chromium') return withCleanup(await launchChromium(profile), cleanup);
    if (engine === 'firefox') return withCleanup(await launchFirefox(profile), cleanup);
    return withCleanup(await launchWebKit(profile), cleanup);
  } catch (error) {
    cleanup();
    throw error;
  }
}

function withCleanup(browser: Browser, cleanup: () => void): Browser {
  return {
    ...browser,
    async close() {
      try {
        await browser.close();
      } finally {
        cleanup();
      }
    },
  };
}

async function launchChromium(profile: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // Playwright passes --user-data-dir itself for a persistent context (a fresh directory here).
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());
  // A persistent context has no Browser object; closing the context ends the process, and
  // Playwright kills it itself if this process exits first.
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    evaluate: (expression) => page.evaluate(expression),
    click: (selector) => page.click(selector),
    close: () => stopAll([() => context.close()], undefined),
  };
}

async function launchFirefox(profile: string): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  copyFileSync(FIREFOX_PREFS, path.join(profile, 'user.js'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    args: ['--no-remote', '--new-instance'],
  });
  const pid = processIdOf(browser.process());
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    return {
      engine: 'firefox',
      goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
      evaluate: (expression) => page.evaluate(expression) as Promise<never>,
      click: (selector) => page.click(selector),
      close: () => stopAll([() => browser.close()], pid),
    };
  } catch (error) {
    await stopAll([() => browser.close()], pid);
    throw error;
  }
}

/** WebKitGTK's MiniBrowser has no headless mode: WebKitWebDriver starts it under a virtual display. */
async function launchWebKit(profile: string): Promise<Browser> {
  const port = await freePort();
  const driver = spawn(XVFB_RUN, ['-a', '-s', '-screen 0 1280x800x24', WEBKIT_DRIVER, `--port=${port}`, '--host=127.0.0.1'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, HOME: profile, XDG_CACHE_HOME: profile, XDG_DATA_HOME: profile, XDG_CONFIG_HOME: profile },
  });
  const stop = (): Promise<void> => stopAll([], driver.pid, true);
  try {
    const base = `http://127.0.0.1:${port}`;
    const call = (method: string, route: string, body?: unknown): Promise<any> => webdriver(base, method, route, body);
    await waitUntil(() => call('GET', '/status').then(() => true, () => false), 15_000);
    const { sessionId } = await call('POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
    });
    const session = `/session/${sessionId}`;
    return {
      engine: 'webkit',
      goto: async (url) => void (await call('POST', `${session}/url`, { url })),
      // The W3C "execute script" awaits a promise the script returns.
      evaluate: (expression) => call('POST', `${session}/execute/sync`, { script: `return (${expression});`, args: [] }),
      click: async (selector) => {
        const element = await call('POST', `${session}/element`, { using: 'css selector', value: selector });
        const id = element[Object.keys(element)[0]!];
        await call('POST', `${session}/element/${id}/click`, {});
      },
      close: () => stopAll([() => call('DELETE', session)], driver.pid, true),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function webdriver(base: string, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const json = (await response.json()) as { value?: any };
  if (json.value && typeof json.value === 'object' && 'error' in json.value) {
    throw new Error(`WebDriver ${method} ${route}: ${json.value.error}: ${json.value.message}`);
  }
  return json.value;
}

/**
 * Polite first (the driver's own close), then by process id: SIGTERM, and SIGKILL if it lingers.
 * `group` kills the whole process group we started (xvfb-run, Xvfb, the driver, MiniBrowser).
 */
async function stopAll(polite: Array<() => Promise<unknown>>, pid: number | undefined, group = false): Promise<void> {
  for (const step of polite) await withTimeout(step().catch(() => undefined), 10_000);
  if (pid === undefined) return;
  const target = group ? -pid : pid;
  if (!signal(target, 'SIGTERM')) return;
  const gone = await waitUntil(async () => !signal(target, 0), 5_000).then(() => true, () => false);
  if (!gone) signal(target, 'SIGKILL');
}

function signal(target: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false;
  }
}

function processIdOf(child: ChildProcess | null | undefined): number | undefined {
  return child?.pid;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
