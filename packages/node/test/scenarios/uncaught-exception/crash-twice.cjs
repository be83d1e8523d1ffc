// A second error comes while the SDK delivers the first: the first one is what ends the process.
if (process.env.WITH_FAULTLINE) require('@faultline/node').init();

setImmediate(() => {
  setImmediate(() => {
    throw new Error('second, while delivering');
  });
  throw new Error('first');
});
