// An app throwing in a loop: 100,000 captures of 100 distinct errors, then it runs until all that
// is to be sent was sent.
const { Faultline, init, delivered } = require('./delivered.cjs');

init();
for (let i = 0; i < 100_000; i++) Faultline.captureException(new TypeError(`storm error ${i % 100}`));
delivered().then(() => console.log('delivered'));
