import { captureException, init } from '@sentry/browser';

window.__bench = { init: (o) => init({ dsn: o.dsn }), capture: (e) => captureException(e) };
