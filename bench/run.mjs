// `npm run bench` (from the repo root): Faultline side by side with the peer SDKs, alternating, in one
// run. Prints Markdown tables (median, min–max, Faultline/peer) and writes bench/results.md.
//   node bench/run.mjs [--quick] [--only startup|capture|frameworks|browser|storm] [--out <file>]
// --quick is a smoke run (seconds, not minutes; it writes bench/.work/results-quick.md unless --out).
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { browser } from './measures/browser.mjs';
import { capture } from './measures/capture.mjs';
import { frameworks } from './measures/frameworks.mjs';
import { startup } from './measures/startup.mjs';
import { storm } from './measures/storm.mjs';
import { startReceiver } from './lib/receiver.mjs';
import { renderSection } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const MEASURES = { startup, capture, frameworks, browser, storm };

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, out: { type: 'string' } },
});
for (const name of args.only ?? []) {
  if (!MEASURES[name]) throw new Error(`--only ${name}: not one of ${Object.keys(MEASURES).join(', ')}`);
}

// Repetitions. The full run takes about 13 minutes on 2 quiet cores; --quick about two minutes.
const SETTINGS = args.quick
  ? {
      startup: { runs: 2, warmUp: 1, pairs: 2 },
      capture: { rounds: 1, paced: 30, tight: 30, warmUp: 3, paceMs: 1, flushMs: 5_000, deadlineMs: 60_000, settle: { idleMs: 300, firstMs: 1_500, maxMs: 5_000 } },
      frameworks: { rounds: 1, pairs: 2, warmUpSeconds: 0.2, seconds: 0.3 },
      browser: { rounds: 1 },
      storm: {
        warmUp: 3,
        flushMs: 5_000,
        deadlineMs: 60_000,
        storm: { rounds: 1, total: 1_000, distinct: 100, chunk: 500, maxLoopMs: 1_000, settle: { idleMs: 300, firstMs: 1_000, maxMs: 2_000 } },
        burst: { rounds: 1, total: 200, chunk: 500, maxLoopMs: 1_000, settle: { idleMs: 300, firstMs: 1_000, maxMs: 2_000 } },
      },
    }
  : {
      startup: { runs: 15, warmUp: 2, pairs: 100 },
      capture: { rounds: 3, paced: 1_000, tight: 1_000, warmUp: 20, paceMs: 1, flushMs: 10_000, deadlineMs: 120_000, settle: { idleMs: 750, firstMs: 3_000, maxMs: 30_000 } },
      frameworks: { rounds: 6, pairs: 30, warmUpSeconds: 3, seconds: 1 },
      browser: { rounds: 7 },
      storm: {
        warmUp: 20,
        flushMs: 10_000,
        deadlineMs: 180_000,
        storm: { rounds: 2, total: 100_000, distinct: 100, chunk: 1_000, maxLoopMs: 6_000, settle: { idleMs: 1_000, firstMs: 4_000, maxMs: 10_000 } },
        burst: { rounds: 2, total: 10_000, chunk: 1_000, maxLoopMs: 8_000, settle: { idleMs: 1_000, firstMs: 4_000, maxMs: 12_000 } },
      },
    };

const SDKS = ['faultline', 'sentry', 'bugsnag', 'rollbar', 'honeybadger'];

function version(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(benchDir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

const COLUMNS = [
  { key: 'faultline', label: `Faultline ${version('@faultline/node')}` },
  { key: 'sentry', label: `Sentry ${version('@sentry/node')}` },
  { key: 'bugsnag', label: `Bugsnag ${version('@bugsnag/js')}` },
  { key: 'rollbar', label: `Rollbar ${version('rollbar')}` },
  { key: 'honeybadger', label: `Honeybadger ${version('@honeybadger-io/js')}` },
  { key: 'raven', label: `raven-js ${version('raven-js')}` },
];

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: benchDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {}
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB memory, ` +
      `${os.type()} ${os.release()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
    `- Node ${process.version}; repo commit ${commit} (plus the working tree)`,
    `- Packages: ${[
      '@faultline/node',
      '@faultline/browser',
      '@sentry/node',
      '@sentry/browser',
      '@bugsnag/js',
      '@bugsnag/plugin-express',
      '@bugsnag/plugin-koa',
      'rollbar',
      '@honeybadger-io/js',
      'raven-js',
      'express',
      'koa',
      'fastify',
      'autocannon',
      'esbuild',
      'playwright-core',
    ]
      .map((p) => `${p} ${version(p)}`)
      .join(', ')}`,
  ].join('\n');
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

async function main() {
  const started = performance.now();
  const selected = args.only ?? Object.keys(MEASURES);
  const receiver = await startReceiver();
  if (!receiver.hasPort80) log('port 80 is not free: Honeybadger (which ignores the endpoint port) cannot deliver; its delivery rows read 0');
  const busy = os.loadavg()[0] > os.cpus().length / 2;
  const header =
    `# Faultline benchmarks\n\n${machine()}\n- Mode: ${args.quick ? 'quick (smoke run; numbers mean nothing)' : 'full'}` +
    (busy ? '\n- **The machine was busy when the run started (load average above half the cores): timings are noisy; compare the ratios, and re-run on a quiet machine.**' : '');
  console.log(`${header}\n`);
  const sections = [];
  const verdicts = [];
  try {
    for (const name of selected) {
      const t = performance.now();
      log(`${name}…`);
      const section = await MEASURES[name]({ sdks: SDKS, settings: SETTINGS[name], receiver, benchDir, log });
      const { markdown, verdicts: v } = renderSection(section, COLUMNS);
      sections.push(markdown);
      verdicts.push(...v);
      console.log(markdown);
      log(`${name} took ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
  } finally {
    await receiver.close();
  }

  const budgetLines = [
    '### Budgets (issue 6)',
    '',
    '| budget | Faultline | verdict |',
    '| --- | --- | --- |',
    ...verdicts.map((v) => `| ${v.measure}: ${v.budget} | ${v.value} | **${v.verdict}** |`),
    '',
  ].join('\n');
  console.log(budgetLines);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const body = [
    header,
    `- Took ${minutes} min. Cells: median (min–max) over the repetitions; \`F/p\` = Faultline's median / the peer's median ` +
      '(below 1 is better for Faultline where lower is better: time, memory, size; above 1 where higher is better: requests/s, delivered).',
    '- How: `npm run bench` at the repo root (bench/run.mjs; bench/README.md). Everything talks to 127.0.0.1 only.',
    '',
    budgetLines,
    ...sections,
  ].join('\n');
  const out = args.out ?? path.join(benchDir, args.quick ? '.work/results-quick.md' : 'results.md');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${body}\n`);
  log(`wrote ${path.relative(process.cwd(), out)} (${minutes} min)`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
