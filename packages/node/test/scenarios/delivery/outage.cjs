// Captures 30 errors over 3 s while the server is down (the test brings it back after that), then
// runs until they are delivered, as a server app would.
const { Faultline, init, sleep, delivered } = require('./delivered.cjs');

init();
(async () => {
  for (let i = 0; i < 30; i++) {
    Faultline.captureException(new Error(`during the outage ${i}`));
    await sleep(100);
  }
  await delivered();
})();
