// The server does not answer: the process still ends once shutdownTimeout is up.
require('@faultline/node').init({ shutdownTimeout: 300 });

setImmediate(() => {
  throw new Error('nobody is listening');
});
