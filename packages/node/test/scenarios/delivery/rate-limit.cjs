// The first error's answer opens a 4 s rate limit for errors; the 11 captured inside it are dropped
// (and counted), the one captured after it is sent.
const { Faultline, init, sleep } = require('./delivered.cjs');

init();
(async () => {
  Faultline.captureException(new Error('opens the window'));
  await Faultline.flush(2000);
  const opened = Date.now();
  for (let i = 0; i < 11; i++) {
    Faultline.captureException(new Error(`inside the window ${i}`));
    await sleep(100);
  }
  await Faultline.flush(2000);
  await sleep(opened + 4100 - Date.now());
  Faultline.captureException(new Error('after the window'));
  await Faultline.flush(2000);
})();
