// The server does not answer: the process still ends once shutdownTimeout is up, the event kept in the spool.
require('@faultline/node').init({ shutdownTimeout: 300, spoolDir: process.env.SPOOL_DIR });

setImmediate(() => {
  throw new Error('nobody is listening');
});
