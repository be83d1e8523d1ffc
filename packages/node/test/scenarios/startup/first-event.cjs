// Starts Faultline, captures one error, and prints which files were required by then: at start-up and
// right after the (synchronous) capture call.
const filesBefore = new Set(Object.keys(require.cache));
const loaded = () => Object.keys(require.cache).filter((name) => !filesBefore.has(name));

const Faultline = require('@faultline/node');
Faultline.init({ dsn: process.env.FAULTLINE_DSN, spoolDir: false });
const atStartup = loaded();

function failingStep() {
  return new Error('the first event');
}
Faultline.captureException(failingStep());
const afterCapture = loaded();

void Faultline.flush(5000).then((sent) => process.stdout.write(JSON.stringify({ atStartup, afterCapture, sent })));
