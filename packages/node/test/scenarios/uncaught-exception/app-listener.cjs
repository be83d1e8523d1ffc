// The app listens for uncaught exceptions itself: it decides, and the process goes on.
const Faultline = require('@faultline/node');

Faultline.init();
process.on('uncaughtException', (error, origin) => {
  console.log(`app handled ${origin}: ${error.message}`);
  setImmediate(() => console.log('still running'));
});
setImmediate(() => {
  throw new Error('survivable');
});
