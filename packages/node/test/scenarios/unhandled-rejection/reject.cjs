// With WITH_FAULTLINE set the SDK is on; without, this is the same script as plain Node runs it.
if (process.env.WITH_FAULTLINE) require('@faultline/node').init();

async function load() {
  throw new Error('rejected for good');
}
load();
setImmediate(() => setImmediate(() => console.log('still running')));
