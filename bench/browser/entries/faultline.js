import { captureException, init } from '@faultline/browser';

window.__bench = { init: (o) => init({ dsn: o.dsn }), capture: (e) => captureException(e) };
