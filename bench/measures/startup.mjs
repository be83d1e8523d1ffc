// 1. Start-up: whole `node` processes that require (CommonJS) or import (ESM) the SDK and init it,
// against bare `node -e 0`, alternating, hyperfine style: warm-up runs first, then many timed runs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { summary } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { startupSource } = require('../lib/sdks.cjs');

const FORMATS = { cjs: ['-e'], esm: ['--input-type=module', '-e'] };

function time(args, cwd) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${args.at(-1)} failed: ${run.stderr.toString().trim().split('\n').at(-1)}`);
  return ms;
}

export async function startup({ sdks, settings, receiver, benchDir, log }) {
  const variants = [];
  for (const format of Object.keys(FORMATS)) {
    variants.push({ sdk: 'bare', format, args: [...FORMATS[format], '0'] });
    for (const sdk of sdks) variants.push({ sdk, format, args: [...FORMATS[format], startupSource(sdk, format, receiver.port)] });
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
        const ms = time(variant.args, benchDir);
        if (run >= 0) samples.get(variant).push({ round: run, ms });
      } catch (error) {
        failures.set(variant, error.message);
      }
    }
    if (run >= 0) log(`start-up: round ${run + 1}/${settings.runs}`);
  }

  const rows = [];
  const bare = {};
  for (const format of Object.keys(FORMATS)) {
    const bareSamples = samples.get(variants.find((v) => v.sdk === 'bare' && v.format === format));
    bare[format] = summary(bareSamples.map((s) => s.ms));
    const cells = {};
    for (const sdk of sdks) {
      const variant = variants.find((v) => v.sdk === sdk && v.format === format);
      cells[sdk] = failures.has(variant)
        ? `failed: ${failures.get(variant)}`
        : // Paired with the bare run of the same round: a slow drift of the machine's load cancels out.
          samples.get(variant).map((s) => s.ms - (bareSamples.find((b) => b.round === s.round)?.ms ?? bare[format].median));
    }
    rows.push({
      label: format === 'cjs' ? '`require` + `init` over bare `node -e 0` (CommonJS)' : '`import` + `init` over bare `node --input-type=module -e 0` (ESM)',
      unit: 'ms',
      sign: true,
      cells,
      budget: { text: '≤ +15 ms (aim +8)', pass: (f) => f.median <= 15 },
    });
  }
  return {
    title: '1. Node start-up',
    notes: [
      `Whole processes, ${settings.runs} timed runs of each (after ${settings.warmUp} warm-up), alternating in a rotating order; overhead = run − the bare run of the same round ` +
        `(bare: CommonJS ${bare.cjs.median.toFixed(1)} ms, ESM ${bare.esm.median.toFixed(1)} ms).`,
    ],
    rows,
  };
}
