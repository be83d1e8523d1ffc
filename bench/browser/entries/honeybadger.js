import Honeybadger from '@honeybadger-io/js';

window.__bench = {
  init: (o) => Honeybadger.configure({ apiKey: o.key, endpoint: `${o.base}/honeybadger` }),
  capture: (e) => Honeybadger.notify(e),
};
