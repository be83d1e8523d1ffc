// 2. Capture cost: distinct errors with three frames, end to end to the bare receiver: paced (one
// every millisecond) and in a tight loop. One child process per SDK and round, alternating.
import path from 'node:path';
import { runChild } from '../lib/child.mjs';
import { summary } from '../lib/stats.mjs';

const MB = 1024 * 1024;

export async function capture({ sdks, settings, receiver, benchDir, log }) {
  const names = ['none', ...sdks];
  const runs = new Map(names.map((name) => [name, []]));
  const failures = new Map();
  for (let round = 0; round < settings.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      if (failures.has(name)) continue;
      receiver.reset();
      const result = await runChild(path.join(benchDir, 'workers/capture.cjs'), [name, 'capture', String(receiver.port), JSON.stringify(settings)], {
        execArgv: ['--expose-gc'],
        receiver,
        cwd: benchDir,
        deadlineMs: settings.deadlineMs,
      });
      if (result.failed) failures.set(name, result.failed);
      else runs.get(name).push(result);
    }
    log(`capture: round ${round + 1}/${settings.rounds}`);
  }

  // The bare loop (errors made, timers, no SDK) costs something too; each SDK's CPU is net of it.
  const bareCpu = summary(runs.get('none').map((r) => r.paced.cpuPerEvent))?.median ?? 0;
  const pick = (fn) =>
    Object.fromEntries(sdks.map((name) => [name, failures.has(name) ? `failed: ${failures.get(name)}` : runs.get(name).map(fn)]));

  const rows = [
    {
      label: `paced (1 every ${settings.paceMs} ms, ${settings.paced} errors): CPU per event, end to end, net of the bare loop`,
      unit: 'µs',
      cells: pick((r) => r.paced.cpuPerEvent - bareCpu),
      budget: { text: '≤ ½ of @sentry/node (aim ⅕)', pass: (f, all) => all.sentry !== undefined && f.median <= all.sentry.median / 2 },
    },
    { label: 'paced: time inside the capture call', unit: 'µs', cells: pick((r) => r.paced.inCallPerEvent) },
    { label: 'paced: events delivered', unit: `of ${settings.paced}`, cells: pick((r) => r.paced.received.events), higherIsBetter: true },
    { label: 'paced: heap growth after GC', unit: 'MB', cells: pick((r) => r.paced.heapGrowth / MB) },
    { label: `tight loop (${settings.tight} errors at once): µs per capture (call + the deferred work of one turn)`, unit: 'µs', cells: pick((r) => r.tight.perCapture) },
    { label: 'tight loop: CPU per event, through delivery', unit: 'µs', cells: pick((r) => r.tight.cpuPerEvent) },
    { label: 'tight loop: events delivered', unit: `of ${settings.tight}`, cells: pick((r) => r.tight.received.events), higherIsBetter: true },
    { label: 'tight loop: heap growth after GC', unit: 'MB', cells: pick((r) => r.tight.heapGrowth / MB) },
  ];
  return {
    title: '2. Capture cost (Node, end to end to a local receiver)',
    notes: [
      `${settings.rounds} rounds, one fresh process per SDK and round, alternating; ${settings.warmUp} warm-up captures first. ` +
        `CPU = process.cpuUsage() of the app process from the first capture until the receiver got everything (or nothing more for 0.75 s), ` +
        `flush included; the bare loop's ${bareCpu.toFixed(1)} µs per event (making the error, the timer) is subtracted. ` +
        'Each SDK with its default options and integrations (context lines and all), sending to a bare HTTP receiver on 127.0.0.1 ' +
        'in the parent process.',
    ],
    rows,
  };
}
