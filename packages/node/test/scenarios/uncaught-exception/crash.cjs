// With WITH_FAULTLINE set the SDK is on; without, this is the same script as plain Node runs it.
if (process.env.WITH_FAULTLINE) require('@faultline/node').init({ release: 'crash@1.0.0' });

function explode() {
  throw new Error('unrecoverable');
}
setImmediate(explode);
