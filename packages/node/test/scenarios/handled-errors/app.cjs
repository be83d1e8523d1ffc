// Captures every awkward value an app may hand over, then simply ends: all of it must arrive.
const Faultline = require('@faultline/node');

Faultline.init({ release: 'handled@1.0.0' });

function readConfig() {
  try {
    JSON.parse('{ not json');
  } catch (parseError) {
    throw new Error('config unreadable', { cause: parseError });
  }
}
try {
  readConfig();
} catch (error) {
  Faultline.captureException(error);
}

Faultline.captureException('a thrown string');

const circular = { name: 'circular' };
circular.self = circular;
Faultline.captureException(circular);

Faultline.captureException(null);

const first = new Error('first of a cycle');
const second = new Error('second of a cycle', { cause: first });
first.cause = second;
Faultline.captureException(first);

const hostile = new Error('hostile');
Object.defineProperty(hostile, 'code', { enumerable: true, get() { throw new Error('getter says no'); } });
Object.defineProperty(hostile, 'message', { get() { throw new Error('no message either'); } });
Faultline.captureException(hostile);

Faultline.captureMessage('disk almost full', 'warning');
