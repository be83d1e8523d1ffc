// Shared by the delivery apps: the SDK set up for a test (short retry pauses, the spool in the
// folder the test names) and a way for an app to end once everything it captured was delivered.
const { readdirSync } = require('node:fs');
const Faultline = require('@faultline/node');

function init(options = {}) {
  return Faultline.init({
    spoolDir: process.env.SPOOL_DIR,
    release: 'delivery@1.0.0',
    transportOptions: { retry: { baseDelayMs: 100, maxDelayMs: 400 }, drainDelayMs: 50 },
    ...options,
  });
}

function spooled() {
  try {
    return readdirSync(process.env.SPOOL_DIR).filter((name) => !name.endsWith('.tmp')).length;
  } catch {
    return 0;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once nothing is queued and the spool is empty: all was sent (or counted). */
async function delivered() {
  for (;;) {
    const flushed = await Faultline.flush(2000);
    if (flushed && spooled() === 0) return;
    await sleep(50);
  }
}

module.exports = { Faultline, init, spooled, sleep, delivered };
