// first-event.cjs as an ES module (run with `--import ./loaded-files.mjs`): starts Faultline, captures
// one error, and prints which files were loaded at start-up, right after the capture call and once
// the event was sent.
const filesBefore = new Set(globalThis.loadedFiles());
const loaded = () => globalThis.loadedFiles().filter((file) => !filesBefore.has(file));

const Faultline = await import('@faultline/node');
Faultline.init({ dsn: process.env.FAULTLINE_DSN, spoolDir: false });
const atStartup = loaded();

function failingStep() {
  return new Error('the first event');
}
Faultline.setTag('at', 'capture');
const eventId = Faultline.captureException(failingStep());
// What the scopes hold after the call is not the event's.
Faultline.setTag('at', 'after the capture');
const afterCapture = loaded();

const sent = await Faultline.flush(5000);
process.stdout.write(JSON.stringify({ atStartup, afterCapture, afterFlush: loaded(), eventId, sent }));
