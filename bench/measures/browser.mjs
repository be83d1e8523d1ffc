// 4. Browser bundles: sizes (raw, gzip -9, brotli 11) of Faultline's CDN bundle and each peer's
// shipped bundle, and of an esbuild bundle of init + capture for every SDK; then the time to
// evaluate each bundle and `init` in headless Chromium (one browser, a fresh page per load).
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { summary } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { KEY } = require('../lib/sdks.cjs');

const KB = 1024;
const CHROMIUM = '/usr/bin/chromium';
// From /work/shared/browsers/README.md: without these Chromium looks up Google hosts at start-up.
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

/** Each SDK's shipped browser bundle (none for Sentry: its CDN bundles are not on npm) and its init. */
function shipped(benchDir) {
  const file = (rel) => path.join(benchDir, 'node_modules', rel);
  return {
    faultline: { file: file('@faultline/browser/build/bundles/faultline.min.js'), init: 'Faultline.init({ dsn: O.dsn })' },
    sentry: { missing: 'none shipped' },
    bugsnag: {
      file: file('@bugsnag/browser/dist/bugsnag.min.js'),
      init: "Bugsnag.start({ apiKey: O.key, endpoints: { notify: O.base + '/bugsnag/notify', sessions: O.base + '/bugsnag/sessions' } })",
    },
    rollbar: { file: file('rollbar/dist/rollbar.min.js'), init: "new rollbar({ accessToken: O.key, endpoint: O.base + '/rollbar/api/1/' })" },
    honeybadger: { file: file('@honeybadger-io/js/dist/browser/honeybadger.min.js'), init: "Honeybadger.configure({ apiKey: O.key, endpoint: O.base + '/honeybadger' })" },
    raven: { file: file('raven-js/dist/raven.min.js'), init: 'Raven.config(O.dsn).install()' },
  };
}

async function esbuildBundles(benchDir, names) {
  const esbuild = await import('esbuild');
  const out = {};
  for (const name of names) {
    const outfile = path.join(benchDir, '.work/bundles', `${name}.js`);
    try {
      await esbuild.build({
        entryPoints: [path.join(benchDir, 'browser/entries', `${name}.js`)],
        bundle: true,
        minify: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2020',
        outfile,
        logLevel: 'silent',
        define: { 'process.env.NODE_ENV': '"production"' },
      });
      out[name] = { file: outfile, init: '__bench.init(O)' };
    } catch (error) {
      out[name] = { missing: `n/a (${error.errors?.[0]?.text ?? error.message})` };
    }
  }
  return out;
}

function sizes(file) {
  const code = readFileSync(file);
  return {
    raw: code.length / KB,
    gzip: gzipSync(code, { level: 9 }).length / KB,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length / KB,
  };
}

/**
 * Serves each test page from 127.0.0.1 (a real origin: some SDKs read sessionStorage, which an
 * about:blank page may not), never cached.
 */
function pageServer() {
  const pages = new Map();
  const server = http.createServer((req, res) => {
    const html = pages.get(req.url);
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html ?? '');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      let next = 0;
      resolve({
        /** Serves `html` once at a fresh URL. */
        add(html) {
          const url = `/page-${next++}.html`;
          pages.set(url, html);
          return `http://127.0.0.1:${server.address().port}${url}`;
        },
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

/** Parse + run of the bundle and init, and init alone, in one fresh page; ms from performance.now(). */
async function timeInit(context, pages, code, init, options) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const html =
      `<!doctype html><html><head><script>window.O=${JSON.stringify(options)};window.__t0=performance.now();</script>` +
      `<script>${code.replaceAll('</script', '<\\/script')}</script>` +
      `<script>{const t=performance.now();${init};const e=performance.now();window.__r={total:e-window.__t0,init:e-t};}</script>` +
      '</head><body></body></html>';
    await page.goto(pages.add(html), { waitUntil: 'load' });
    const result = await page.evaluate(() => window.__r);
    if (!result) throw new Error(errors[0] ?? 'init did not finish');
    return result;
  } finally {
    await page.close();
  }
}

export async function browser({ sdks, settings, receiver, benchDir, log }) {
  const names = [...sdks, 'raven'];
  const ship = shipped(benchDir);
  const built = await esbuildBundles(benchDir, names);
  const sized = (bundle) => (bundle.missing ? undefined : existsSync(bundle.file) ? sizes(bundle.file) : undefined);
  const sizeCells = (group, key) =>
    Object.fromEntries(names.map((n) => [n, sized(group[n]) ? [sized(group[n])[key]] : (group[n].missing ?? 'n/a (not built)')]));

  const rows = [
    {
      label: 'CDN / shipped bundle, gzip',
      unit: 'KB',
      cells: sizeCells(ship, 'gzip'),
      budget: { text: '≤ 10 KB (aim 8)', pass: (f) => f.median <= 10 },
    },
    { label: 'CDN / shipped bundle, brotli', unit: 'KB', cells: sizeCells(ship, 'brotli') },
    { label: 'CDN / shipped bundle, raw (minified)', unit: 'KB', cells: sizeCells(ship, 'raw') },
    { label: 'esbuild bundle of init + capture, gzip', unit: 'KB', cells: sizeCells(built, 'gzip') },
    { label: 'esbuild bundle of init + capture, brotli', unit: 'KB', cells: sizeCells(built, 'brotli') },
    { label: 'esbuild bundle of init + capture, raw (minified)', unit: 'KB', cells: sizeCells(built, 'raw') },
  ];

  const notes = [
    'KB = 1,024 bytes; gzip level 9, brotli quality 11. esbuild 0.28: `--bundle --minify --format=iife --target=es2020` of an entry ' +
      'that imports the npm package and calls only init and captureException (bench/browser/entries/).',
  ];
  if (!existsSync(CHROMIUM)) {
    notes.push(`Chromium not found at ${CHROMIUM}: no timings.`);
    return { title: '4. Browser bundles', notes, rows };
  }

  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pages = await pageServer();
  const options = { dsn: `http://public@127.0.0.1:${receiver.port}/1`, key: KEY, base: `http://127.0.0.1:${receiver.port}` };
  try {
    const groups = { shipped: ship, esbuild: built };
    const samples = {};
    const failures = {};
    for (let round = 0; round < settings.rounds; round++) {
      for (const [group, bundles] of Object.entries(groups)) {
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + round) % names.length];
          const bundle = bundles[name];
          const key = `${group}:${name}`;
          if (bundle.missing || failures[key] || !existsSync(bundle.file)) continue;
          try {
            const r = await timeInit(context, pages, readFileSync(bundle.file, 'utf8'), bundle.init, options);
            (samples[key] ??= []).push(r);
          } catch (error) {
            failures[key] = `failed: ${error.message.split('\n')[0]}`;
          }
        }
      }
      log(`browser: round ${round + 1}/${settings.rounds}`);
    }
    const timeCells = (group, field) =>
      Object.fromEntries(
        names.map((n) => {
          const key = `${group}:${n}`;
          return [n, failures[key] ?? samples[key]?.map((r) => r[field]) ?? groups[group][n].missing ?? 'n/a (not built)'];
        }),
      );
    rows.push(
      { label: 'Chromium: evaluate the CDN / shipped bundle + `init`', unit: 'ms', cells: timeCells('shipped', 'total') },
      { label: 'Chromium: `init` alone (CDN / shipped bundle)', unit: 'ms', cells: timeCells('shipped', 'init') },
      { label: 'Chromium: evaluate the esbuild bundle + `init`', unit: 'ms', cells: timeCells('esbuild', 'total') },
    );
    notes.push(
      `${chromiumVersion()}: ${settings.rounds} loads of each bundle, alternating; each load a fresh page ` +
        'from 127.0.0.1 with the bundle inline (nothing to fetch, no code cache), timed with performance.now() from before the bundle to after init.',
    );
  } finally {
    await context.close();
    await pages.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return { title: '4. Browser bundles', notes, rows };
}

function chromiumVersion() {
  const run = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return run.stdout?.trim() || 'Chromium';
}
