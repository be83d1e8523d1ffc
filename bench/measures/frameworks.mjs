// 3. Framework throughput: express, koa and fastify apps with each SDK's middleware against the bare
// framework. The apps run in child processes (their own core), autocannon here; 10 connections, a
// warm-up, then short timed slices alternating between the variants.
import { fork } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { spoolFolder } from '../lib/child.mjs';
import { summary } from '../lib/stats.mjs';

const FRAMEWORKS = ['express', 'koa', 'fastify'];
/** The framework whose throughput has a budget (issue 6). */
const BUDGETED = 'express';


/** Starts the app; resolves with its port and a stop function, or with `{ failed }`. */
function startServer(benchDir, sdk, framework, receiverPort) {
  return new Promise((resolve) => {
    const spool = spoolFolder();
    const child = fork(path.join(benchDir, 'workers/server.cjs'), [sdk, framework, String(receiverPort)], {
      cwd: benchDir,
      env: spool.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', () => spool.remove());
    const stop = () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      });
    const timer = setTimeout(() => {
      stop();
      resolve({ failed: 'failed: did not start within 30 s' });
    }, 30_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ port: message.port, stop });
      else {
        const text = message.message.split('\n')[0];
        resolve({ failed: text.startsWith('n/a') ? text : `failed: ${text}` });
        stop();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ failed: `failed: exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}` });
    });
  });
}

function load(port, seconds) {
  return autocannon({ url: `http://127.0.0.1:${port}/orders/17`, connections: 10, duration: seconds });
}

export async function frameworks({ sdks, settings, receiver, benchDir, log }) {
  const names = ['none', ...sdks];
  const sections = [];
  for (const framework of FRAMEWORKS) {
    // Every variant's server is up at once (idle ones cost nothing) and the load goes to one after the
    // other in short slices, round after round: each SDK is compared with bare under the same load
    // of the machine, slice by slice.
    const servers = new Map();
    const failures = new Map();
    for (const name of names) {
      const server = await startServer(benchDir, name, framework, receiver.port);
      if (server.failed) failures.set(name, server.failed);
      else servers.set(name, server);
    }
    const runs = new Map(names.map((name) => [name, []]));
    const pairs = [];
    try {
      for (const [name, server] of servers) await load(server.port, settings.warmUpSeconds);
      for (let round = 0; round < settings.rounds; round++) {
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + round) % names.length];
          if (failures.has(name)) continue;
          const result = await load(servers.get(name).port, settings.seconds);
          const ok = result.non2xx === 0 && result.errors === 0;
          runs.get(name).push({ round, rps: ok ? result.requests.average : NaN, p99: result.latency.p99 });
          if (!ok) failures.set(name, `failed: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
        }
      }
      // The budget's comparison, Faultline against bare, gets pairs of slices back to back on top
      // (each pair's order alternating): a slice's neighbour shares more of the machine's state than a
      // slice five places away in the round does, and more pairs narrow the median.
      if (framework === BUDGETED && servers.has('faultline') && servers.has('none')) {
        for (let pair = 0; pair < settings.pairs; pair++) {
          const order = pair % 2 ? ['none', 'faultline'] : ['faultline', 'none'];
          const results = {};
          for (const name of order) results[name] = await load(servers.get(name).port, settings.seconds);
          const ok = order.every((name) => results[name].non2xx === 0 && results[name].errors === 0);
          pairs.push(ok ? (100 * results.faultline.requests.average) / results.none.requests.average : NaN);
        }
      }
      log(`${framework}: ${settings.rounds} rounds${framework === BUDGETED ? ` and ${settings.pairs} pairs` : ''} done`);
    } finally {
      await Promise.all([...servers.values()].map((server) => server.stop()));
    }
    if (failures.has('none')) {
      sections.push({ framework, failed: failures.get('none') });
      continue;
    }
    const bare = runs.get('none');
    const cell = (name, fn) => (failures.has(name) ? failures.get(name) : runs.get(name).map(fn));
    // Share of bare: each slice against the bare slice of the same round.
    const share = (run) => (100 * run.rps) / bare.find((b) => b.round === run.round).rps;
    sections.push({
      framework,
      bare: summary(bare.map((r) => r.rps)),
      bareP99: summary(bare.map((r) => r.p99)),
      rows: [
        {
          label: `${framework}: requests/s with the SDK, share of bare ${framework}`,
          unit: '%',
          cells: Object.fromEntries(sdks.map((name) => [name, cell(name, share)])),
          higherIsBetter: true,
        },
        ...(framework === BUDGETED && pairs.length
          ? [
              {
                label: `${framework}: Faultline's share of bare, ${pairs.length} pairs of back-to-back slices`,
                unit: '%',
                cells: { faultline: pairs },
                higherIsBetter: true,
                budget: { text: '≥ 95% (aim 98%)', pass: (f) => f.median >= 95 },
              },
            ]
          : []),
        {
          label: `${framework}: requests/s`,
          unit: 'req/s',
          cells: Object.fromEntries(sdks.map((name) => [name, cell(name, (r) => r.rps)])),
          higherIsBetter: true,
        },
        {
          label: `${framework}: p99 latency`,
          unit: 'ms',
          cells: Object.fromEntries(sdks.map((name) => [name, cell(name, (r) => r.p99)])),
        },
      ],
    });
  }
  const bareNote = sections
    .filter((s) => s.bare)
    .map((s) => `${s.framework} ${Math.round(s.bare.median)} req/s, p99 ${s.bareP99.median} ms`)
    .join('; ');
  return {
    title: '3. Framework throughput (autocannon, 10 connections)',
    notes: [
      `One server process per variant, all up at once; each warmed up for ${settings.warmUpSeconds} s, then ${settings.rounds} rounds of ` +
        `${settings.seconds} s slices, the variants one after the other in a rotating order; share of bare = slice / bare slice of the ` +
        `same round. For the budget, ${settings.pairs} more pairs of ${settings.seconds} s slices of ${BUDGETED} with Faultline and bare, back to back ` +
        `in alternating order, each pair a share. GET /orders/:id answering JSON; the SDK's request and error middleware installed as its docs say. ` +
        `Bare: ${bareNote || 'failed'}.`,
      ...sections.filter((s) => s.failed).map((s) => `${s.framework}: bare app failed: ${s.failed}`),
    ],
    rows: sections.flatMap((s) => s.rows ?? []),
  };
}
