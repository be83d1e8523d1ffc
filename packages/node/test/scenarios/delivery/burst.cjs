// A bad deploy: 10,000 distinct errors at once, in chunks as requests would bring them, with the
// heap measured (after GC) before and after.
const { Faultline, init, delivered } = require('./delivered.cjs');

function heap() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

init();
(async () => {
  const before = heap();
  let peak = 0;
  for (let chunk = 0; chunk < 20; chunk++) {
    for (let i = 0; i < 500; i++) Faultline.captureException(new RangeError(`burst error ${chunk * 500 + i}`));
    await new Promise((resolve) => setImmediate(resolve));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const afterBurst = heap();
  await delivered();
  console.log(JSON.stringify({ growthMB: (afterBurst - before) / 2 ** 20, peakMB: (peak - before) / 2 ** 20 }));
})();
