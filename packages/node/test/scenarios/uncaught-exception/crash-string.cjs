if (process.env.WITH_FAULTLINE) require('@faultline/node').init();

setImmediate(() => {
  throw 'a string, not an error';
});
