// Smoke test of the benchmark: `node bench/run.mjs --quick` runs every measure for Faultline and the
// peers and writes the tables. No timing assertions (numbers from a smoke run mean nothing); it checks
// that every measure ran, that Faultline ran in each (or is marked not built yet), and that no run
// failed. Needs the bench's own dependencies (`npm --prefix bench ci`); skipped without them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const installed = existsSync(path.join(benchDir, 'node_modules/@sentry/node/package.json'));
if (!installed) console.warn('bench: skipped, run `npm --prefix bench ci` first to install the peer SDKs');

describe.skipIf(!installed)('npm run bench -- --quick', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every measure for Faultline and the peers and writes the results table', { timeout: 300_000 }, () => {
    const out = path.join(dir, 'results.md');
    const run = spawnSync(process.execPath, [path.join(benchDir, 'run.mjs'), '--quick', '--out', out], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const results = readFileSync(out, 'utf8');
    for (const title of ['1. Node start-up', '2. Capture cost', '3. Framework throughput', '4. Browser bundles', '5. Error storm and burst', 'Budgets']) {
      expect(results).toContain(title);
    }
    for (const column of ['Faultline', 'Sentry', 'Bugsnag', 'Rollbar', 'Honeybadger', 'raven-js']) expect(results).toContain(column);
    expect(results).toMatch(/- Machine: .+ cores/);
    // The start-up and express budgets are judged on back-to-back pairs, Faultline against bare.
    expect(results).toMatch(/\(CommonJS\): Faultline and bare in \d+ pairs of back-to-back runs \| [+-]?[\d.]+ ms/);
    // The express budget is judged on back-to-back pairs of slices, Faultline against bare.
    expect(results).toMatch(/\| express: Faultline's share of bare, \d+ pairs of back-to-back slices \| [\d.]+ %/);

    const rows = results.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| measure') && !line.startsWith('| ---'));
    const faultlineCells = rows.filter((line) => !line.startsWith('| budget')).map((line) => line.split(' | ')[1]);
    expect(faultlineCells.length).toBeGreaterThan(20);
    // Faultline has a number in every row, or is marked as not built yet; no run of anyone failed.
    for (const cell of faultlineCells) expect(cell).toMatch(/^[+-]?[\d,.]+|^n\/a \(not built\)$/);
    expect(results).not.toMatch(/failed:|timed out|exited with/);
  });
});
