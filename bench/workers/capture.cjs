// Child process of the capture, storm and burst measures: starts one SDK, captures, waits until the
// receiver (in the parent) stops getting events, and reports CPU, time and memory to the parent.
// Run with --expose-gc. argv: <sdk> <scenario: capture|storm|burst> <port> <json settings>
'use strict';

const { SDKS } = require('../lib/sdks.cjs');

const [sdkName, scenario, port, settingsJson] = process.argv.slice(2);
const settings = JSON.parse(settingsJson);
const sdk = SDKS[sdkName];

// Three frames of app code above the capture site; the token makes each message distinct and tells
// the receiver which phase an event belongs to.
function handleOrder(phase, i) {
  return priceOrder(phase, i);
}
function priceOrder(phase, i) {
  return applyCoupon(phase, i);
}
function applyCoupon(phase, i) {
  throw new TypeError(`Cannot read properties of undefined (reading 'percent') FLB${phase}N${i}Z`);
}
function makeError(phase, i) {
  try {
    handleOrder(phase, i);
  } catch (error) {
    return error;
  }
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const micros = (ns) => Number(ns) / 1e3;
const cpuMicros = (usage) => usage.user + usage.system;

function memory() {
  global.gc();
  global.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

let pending;
process.on('message', (message) => {
  if (message.type === 'settled' && pending) pending(message.received);
});
/** Asks the parent to wait until the phase's events arrived (or stopped arriving). */
function settle(phase, expected, settleOptions = {}) {
  return new Promise((resolve) => {
    pending = resolve;
    process.send({ type: 'settle', phase, expected, ...settleOptions });
  });
}

async function deliver(phase, expected, settleOptions) {
  await sdk.flush(settings.flushMs);
  return settle(phase, expected, settleOptions ?? settings.settle);
}

async function warmUp() {
  for (let i = 0; i < settings.warmUp; i++) {
    sdk.capture(makeError('warm', i));
    await sleep(1);
  }
  await deliver('warm', settings.warmUp);
}

/** One capture every `paceMs`: CPU per event end to end (build, send, flush) and time in the call. */
async function paced(n) {
  const before = memory();
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  let inCall = 0n;
  for (let i = 0; i < n; i++) {
    await sleep(settings.paceMs);
    const error = makeError('paced', i);
    const start = process.hrtime.bigint();
    sdk.capture(error);
    inCall += process.hrtime.bigint() - start;
  }
  const received = await deliver('paced', n);
  const cpuUs = cpuMicros(process.cpuUsage(cpu));
  const after = memory();
  return {
    cpuPerEvent: cpuUs / n,
    inCallPerEvent: micros(inCall) / n,
    wallMs: micros(process.hrtime.bigint() - wall) / 1e3,
    heapGrowth: after.heap - before.heap,
    rssGrowth: after.rss - before.rss,
    received,
  };
}

/**
 * Captures `total` errors made from `distinct` messages, in chunks with a turn of the event loop
 * between them (as a busy server would). The errors of a chunk are made before its clock starts;
 * the clock runs through the capture calls and the turn, so work an SDK defers to promises or I/O
 * callbacks is counted too. An SDK too slow to finish stops at `maxLoopMs` (bounded runs).
 */
async function loop(phase, total, distinct, chunk, maxLoopMs = Infinity) {
  const before = memory();
  const rssBefore = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let timed = 0n;
  let captures = 0;
  while (captures < total && performance.now() - started < maxLoopMs) {
    const errors = [];
    for (let i = captures; i < Math.min(total, captures + chunk); i++) errors.push(makeError(phase, i % distinct));
    const start = process.hrtime.bigint();
    for (const error of errors) sdk.capture(error);
    await nextTick();
    timed += process.hrtime.bigint() - start;
    captures += errors.length;
  }
  const loopCpuUs = cpuMicros(process.cpuUsage(cpu));
  const afterLoop = memory();
  const deliverStart = process.hrtime.bigint();
  const received = await deliver(phase, Math.min(captures, settings.expect ?? captures), settings.settle);
  const deliverMs = micros(process.hrtime.bigint() - deliverStart) / 1e3;
  const cpuUs = cpuMicros(process.cpuUsage(cpu));
  const after = memory();
  return {
    captures,
    perCapture: micros(timed) / captures,
    loopCpuPerCapture: loopCpuUs / captures,
    cpuPerEvent: cpuUs / captures,
    heapGrowth: afterLoop.heap - before.heap,
    rssGrowth: afterLoop.rss - before.rss,
    heapGrowthEnd: after.heap - before.heap,
    // maxRSS is in KiB and covers the whole process life; the peak of this run is above rssBefore.
    peakRssGrowth: Math.max(0, process.resourceUsage().maxRSS * 1024 - rssBefore),
    deliverMs,
    received,
  };
}

async function main() {
  sdk.init({ port: Number(port) });
  await warmUp();
  const result = {};
  if (scenario === 'capture') {
    result.paced = await paced(settings.paced);
    result.tight = await loop('tight', settings.tight, settings.tight, settings.tight);
  } else if (scenario === 'storm') {
    result.storm = await loop('storm', settings.total, settings.distinct, settings.chunk, settings.maxLoopMs);
  } else if (scenario === 'burst') {
    result.burst = await loop('burst', settings.total, settings.total, settings.chunk, settings.maxLoopMs);
  }
  process.send({ type: 'result', result }, () => process.exit(0));
}

main().catch((error) => {
  process.send({ type: 'failed', message: String(error?.stack ?? error) }, () => process.exit(1));
});
