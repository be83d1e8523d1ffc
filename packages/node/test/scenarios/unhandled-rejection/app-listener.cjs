// Node's default mode raises the rejection as an uncaught exception; the app catches that itself.
const Faultline = require('@faultline/node');

Faultline.init();
process.on('uncaughtException', (error, origin) => {
  console.log(`app handled ${origin}: ${error.message}`);
  setImmediate(() => console.log('still running'));
});
Promise.reject(new Error('caught by the app'));
