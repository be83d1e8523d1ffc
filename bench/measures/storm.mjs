// 5. Storm and burst (issue 5): 100,000 captures of 100 distinct errors, and 10,000 distinct errors
// at once, in chunks with a turn of the event loop between them; memory growth (heap and RSS after
// GC), delivered share and the cost per capture. One fresh process per SDK and round, alternating.
import path from 'node:path';
import { runChild } from '../lib/child.mjs';
import { summary } from '../lib/stats.mjs';

const MB = 1024 * 1024;

async function rounds(kind, { names, settings, receiver, benchDir, log }) {
  const runs = new Map(names.map((name) => [name, []]));
  const failures = new Map();
  const workerSettings = { ...settings[kind], warmUp: settings.warmUp, paceMs: 1, flushMs: settings.flushMs };
  for (let round = 0; round < settings[kind].rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      if (failures.has(name)) continue;
      receiver.reset();
      const result = await runChild(path.join(benchDir, 'workers/capture.cjs'), [name, kind, String(receiver.port), JSON.stringify(workerSettings)], {
        execArgv: ['--expose-gc', '--max-old-space-size=8192'],
        receiver,
        cwd: benchDir,
        deadlineMs: settings.deadlineMs,
      });
      if (result.failed) failures.set(name, result.failed);
      else runs.get(name).push(result[kind]);
    }
    log(`${kind}: round ${round + 1}/${settings[kind].rounds}`);
  }
  return { runs, failures };
}

export async function storm(context) {
  const { sdks, settings } = context;
  // The bare loop (no SDK) runs in the storm only: the cost of the loop itself, for scale.
  const storm = await rounds('storm', { ...context, names: ['none', ...sdks] });
  const burst = await rounds('burst', { ...context, names: sdks });
  const pick = ({ runs, failures }, fn) =>
    Object.fromEntries(sdks.map((name) => [name, failures.has(name) ? `failed: ${failures.get(name)}` : runs.get(name).map(fn)]));
  const bare = storm.runs.get('none');
  const bareLoop = summary(bare.map((r) => r.perCapture))?.median ?? 0;
  const bareGrowth = summary(bare.map((r) => Math.max(r.heapGrowth, r.rssGrowth) / MB))?.median ?? 0;
  const growth = (r) => Math.max(r.heapGrowth, r.rssGrowth) / MB;
  const s = settings.storm;
  const b = settings.burst;
  const seconds = (ms) => `${ms / 1000} s`;
  return {
    title: '5. Error storm and burst (Node)',
    notes: [
      `Storm: ${s.total.toLocaleString('en')} captures of ${s.distinct} distinct errors; burst: ${b.total.toLocaleString('en')} distinct errors; ` +
        `both in chunks of ${s.chunk} with a turn of the event loop between chunks (an SDK still looping after ${seconds(s.maxLoopMs)} ` +
        `(storm) or ${seconds(b.maxLoopMs)} (burst) stops there: see "captures made"), then flush and wait until nothing more arrives ` +
        `(${seconds(s.settle.idleMs)} idle; ${seconds(s.settle.firstMs)} before the first delivery; at most ${seconds(s.settle.maxMs)} (storm) ` +
        `or ${seconds(b.settle.maxMs)} (burst)). ${s.rounds} storm and ${b.rounds} burst rounds per SDK. ` +
        `µs per capture: the capture calls plus the turn after each chunk (deferred work), errors made beforehand; the bare loop's ` +
        `${bareLoop.toFixed(2)} µs is not subtracted. Memory: heap and RSS after two forced GCs at the end of the loop against before it ` +
        `(the bare loop alone grows ${bareGrowth.toFixed(1)} MB: V8 keeps the young generation it grew while making the errors); ` +
        'peak RSS from the OS (whole run, delivery included).',
    ],
    rows: [
      {
        label: `storm: µs per capture in the loop`,
        unit: 'µs',
        cells: pick(storm, (r) => r.perCapture),
        budget: { text: '< 20 µs', pass: (f) => f.median < 20 },
      },
      {
        label: 'storm: memory growth, max of heap and RSS after GC',
        unit: 'MB',
        cells: pick(storm, growth),
        budget: { text: '≤ 64 MB', pass: (f) => f.max <= 64 },
      },
      { label: `storm: captures made (the loop stops at ${seconds(s.maxLoopMs)})`, unit: `of ${s.total.toLocaleString('en')}`, cells: pick(storm, (r) => r.captures), higherIsBetter: true, noRatio: true },
      { label: 'storm: peak RSS growth', unit: 'MB', cells: pick(storm, (r) => r.peakRssGrowth / MB) },
      { label: 'storm: CPU per capture, through delivery', unit: 'µs', cells: pick(storm, (r) => r.cpuPerEvent) },
      { label: 'storm: distinct errors delivered (within the wait)', unit: `of ${s.distinct}`, cells: pick(storm, (r) => r.received.distinct), higherIsBetter: true },
      { label: 'storm: events delivered (within the wait)', unit: '', cells: pick(storm, (r) => r.received.events), higherIsBetter: true },
      {
        label: 'burst: delivered share of the captures made (within the wait)',
        unit: '%',
        cells: pick(burst, (r) => (100 * r.received.distinct) / r.captures),
        higherIsBetter: true,
        budget: { text: '≥ 99% (issue 5)', pass: (f) => f.min >= 99 },
      },
      { label: 'burst: memory growth, max of heap and RSS after GC', unit: 'MB', cells: pick(burst, growth) },
      { label: 'burst: peak RSS growth', unit: 'MB', cells: pick(burst, (r) => r.peakRssGrowth / MB) },
      { label: `burst: captures made (the loop stops at ${seconds(b.maxLoopMs)})`, unit: `of ${b.total.toLocaleString('en')}`, cells: pick(burst, (r) => r.captures), higherIsBetter: true, noRatio: true },
      { label: 'burst: µs per capture in the loop', unit: 'µs', cells: pick(burst, (r) => r.perCapture) },
      { label: 'burst: time from the end of the loop until delivered', unit: 'ms', cells: pick(burst, (r) => r.deliverMs) },
    ],
  };
}
