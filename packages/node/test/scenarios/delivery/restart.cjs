// The same app started again: captures nothing itself, sends what the spool holds, then ends.
const { init, delivered } = require('./delivered.cjs');

init();
delivered().then(() => console.log('delivered'));
