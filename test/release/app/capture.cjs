// CommonJS user of the published @faultline/node: init, tag, capture, then close (which flushes).
const path = require('node:path');
const Faultline = require('@faultline/node');

Faultline.init({ release: 'release-check@1.0.0', spoolDir: path.join(__dirname, '.spool') });
Faultline.setTag('module', 'commonjs');
Faultline.captureException(new Error('captured from CommonJS'));
Faultline.close(5000).then((sent) => {
  if (!sent) process.exitCode = 1;
});
