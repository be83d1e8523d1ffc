// A background job that crashes: nothing catches this error, so @faultline/node reports it
// (handled: false, level fatal) and then exits with code 1 after printing it, as Node would.
const Faultline = require('@faultline/node');

Faultline.init({
  dsn: process.env.FAULTLINE_DSN || 'http://public@127.0.0.1:8969/1',
  release: 'shop@1.4.0',
  environment: 'demo',
});
Faultline.setTag('job', 'nightly-report');

function renderReport(rows) {
  return rows.map((row) => row.total.toFixed(2));
}

setTimeout(() => {
  renderReport([{ total: 1 }, { amount: 2 }]);
}, 10);
