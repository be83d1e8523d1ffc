import Bugsnag from '@bugsnag/js';

window.__bench = {
  init: (o) => Bugsnag.start({ apiKey: o.key, endpoints: { notify: `${o.base}/bugsnag/notify`, sessions: `${o.base}/bugsnag/sessions` } }),
  capture: (e) => Bugsnag.notify(e),
};
