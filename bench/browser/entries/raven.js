import Raven from 'raven-js';

window.__bench = { init: (o) => Raven.config(o.dsn).install(), capture: (e) => Raven.captureException(e) };
