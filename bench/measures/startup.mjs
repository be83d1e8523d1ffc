// 1. Start-up: whole `node` processes that require (CommonJS) or import (ESM) the SDK and init it,
// against bare `node -e 0`, alternating, hyperfine style: warm-up runs first, then many timed runs.
// ESM is timed as apps start, from a file (`node app.mjs` against an empty .mjs), and also as a
// `--input-type=module -e` string: Node's eval-module path costs about 10 ms more for any import.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { summary } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { startupSource } = require('../lib/sdks.cjs');

const FORMATS = {
  cjs: { args: (source) => ['-e', source], label: '`require` + `init` over bare `node -e 0` (CommonJS)', budget: true },
  esm: { file: true, label: '`import` + `init` in `node app.mjs` over an empty `.mjs` (ESM)', budget: true },
  'esm-e': { args: (source) => ['--input-type=module', '-e', source], label: '`import` + `init` over bare `node --input-type=module -e 0` (ESM, eval)' },
};

// Each program also reports its CPU time (user + system, all threads) as it exits: on a shared machine
// the wall time of a 100 ms process swings by tens of ms with the neighbours, its CPU time far less.
const REPORT_CPU = ";process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('@cpu '+(u.user+u.system)+'\\n')})";

function time(args, cwd) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = run.stderr.toString();
  if (run.status !== 0) throw new Error(`${args.at(-1)} failed: ${stderr.trim().split('\n').at(-1)}`);
  const cpu = /@cpu (\d+)/.exec(stderr);
  return { ms, cpuMs: cpu ? Number(cpu[1]) / 1000 : NaN };
}

export async function startup({ sdks, settings, receiver, benchDir, log }) {
  // Files live under bench/ so the SDKs resolve from bench/node_modules.
  const filesDir = join(benchDir, '.work', 'startup');
  mkdirSync(filesDir, { recursive: true });
  const argsFor = (format, name, source) => {
    const { args, file } = FORMATS[format];
    if (!file) return args(`${source}${REPORT_CPU}`);
    const path = join(filesDir, `${name}.mjs`);
    writeFileSync(path, `${source}${REPORT_CPU}\n`);
    return [path];
  };
  const variants = [];
  for (const format of Object.keys(FORMATS)) {
    const sourceFormat = format === 'cjs' ? 'cjs' : 'esm';
    variants.push({ sdk: 'bare', format, args: argsFor(format, 'bare', format === 'esm' ? '' : '0') });
    for (const sdk of sdks) variants.push({ sdk, format, args: argsFor(format, sdk, startupSource(sdk, sourceFormat, receiver.port)) });
  }
  // samples: variant -> [{ round, ms }]
  const samples = new Map(variants.map((v) => [v, []]));
  const failures = new Map();
  for (let run = -settings.warmUp; run < settings.runs; run++) {
    // A different order each round, so no variant always follows the same neighbour.
    const order = variants.map((_, i) => variants[(i + run + settings.warmUp) % variants.length]);
    for (const variant of order) {
      if (failures.has(variant)) continue;
      try {
        const { ms, cpuMs } = time(variant.args, benchDir);
        if (run >= 0) samples.get(variant).push({ round: run, ms, cpuMs });
      } catch (error) {
        failures.set(variant, error.message);
      }
    }
    if (run >= 0) log(`start-up: round ${run + 1}/${settings.runs}`);
  }

  // The budget's comparison, Faultline against bare, gets pairs of runs back to back on top (each
  // pair's order alternating): neighbours share more of the machine's state than runs up to 17 places
  // apart in a round, and more pairs narrow the median.
  const pairs = new Map();
  for (const format of Object.keys(FORMATS).filter((f) => FORMATS[f].budget)) {
    const [bareVariant, faultline] = ['bare', 'faultline'].map((sdk) => variants.find((v) => v.sdk === sdk && v.format === format));
    if (!faultline || failures.has(faultline) || failures.has(bareVariant)) continue;
    const overheads = [];
    for (let pair = 0; pair < settings.pairs; pair++) {
      const order = pair % 2 ? [bareVariant, faultline] : [faultline, bareVariant];
      const runs = new Map(order.map((variant) => [variant, time(variant.args, benchDir)]));
      overheads.push(runs.get(faultline).ms - runs.get(bareVariant).ms);
    }
    pairs.set(format, overheads);
    log(`start-up: ${settings.pairs} pairs (${format}) done`);
  }

  const rows = [];
  const bare = {};
  for (const format of Object.keys(FORMATS)) {
    const bareSamples = samples.get(variants.find((v) => v.sdk === 'bare' && v.format === format));
    bare[format] = summary(bareSamples.map((s) => s.ms));
    // Paired with the bare run of the same round: a slow drift of the machine's load cancels out.
    const overheads = (key) => {
      const cells = {};
      for (const sdk of sdks) {
        const variant = variants.find((v) => v.sdk === sdk && v.format === format);
        cells[sdk] = failures.has(variant)
          ? `failed: ${failures.get(variant)}`
          : samples.get(variant).map((s) => s[key] - (bareSamples.find((b) => b.round === s.round)?.[key] ?? summary(bareSamples.map((b) => b[key])).median));
      }
      return cells;
    };
    rows.push({
      label: FORMATS[format].label,
      unit: 'ms',
      sign: true,
      cells: overheads('ms'),
    });
    rows.push({ label: `the same, CPU time of the process (user + system)`, unit: 'ms', sign: true, cells: overheads('cpuMs') });
    if (pairs.has(format)) {
      rows.push({
        label: `${FORMATS[format].label}: Faultline and bare in ${pairs.get(format).length} pairs of back-to-back runs`,
        unit: 'ms',
        sign: true,
        cells: { faultline: pairs.get(format) },
        budget: { text: '≤ +15 ms (aim +8)', pass: (f) => f.median <= 15 },
      });
    }
  }
  return {
    title: '1. Node start-up',
    notes: [
      `Whole processes, ${settings.runs} timed runs of each (after ${settings.warmUp} warm-up), alternating in a rotating order; overhead = run − the bare run of the same round ` +
        `(bare: CommonJS ${bare.cjs.median.toFixed(1)} ms, ESM file ${bare.esm.median.toFixed(1)} ms, ESM eval ${bare['esm-e'].median.toFixed(1)} ms). ` +
        'ESM from a file is how apps start; the eval row is the same import in a `-e` string, which costs every SDK more. ' +
        'The CPU rows are the processes\' own CPU time (process.cpuUsage() as they exit), steadier than wall time on a shared machine. ' +
        `The budget is judged on wall time, in ${settings.pairs} more pairs of runs per format, Faultline and bare back to back in alternating order.`,
    ],
    rows,
  };
}
