// Captures 20 errors, then dies of an uncaught exception (the server may be down meanwhile).
const { Faultline, init } = require('./delivered.cjs');

init({ shutdownTimeout: 1000 });
const count = Number(process.env.ERRORS ?? 20);
for (let i = 0; i < count; i++) Faultline.captureException(new Error(`before the crash ${i}`));
setTimeout(() => {
  throw new Error('the crash');
}, 50);
