import Rollbar from 'rollbar';

let rollbar;
window.__bench = {
  init: (o) => (rollbar = new Rollbar({ accessToken: o.key, endpoint: `${o.base}/rollbar/api/1/`, captureUncaught: true, captureUnhandledRejections: true })),
  capture: (e) => rollbar.error(e),
};
