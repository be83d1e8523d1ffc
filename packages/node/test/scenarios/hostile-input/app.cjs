// Hands every hostile value to every entry point of the SDK, then checks it still works normally.
// Prints one JSON line: what threw out of the SDK (nothing should) and how the rest went.
'use strict';
const Faultline = require('@faultline/node');
const { values } = require('./hostile-values.cjs');

let breadcrumbHookCalls = 0;
Faultline.init({
  release: 'hostile@1.0.0',
  spoolDir: false,
  beforeSend(event) {
    if (event.tags && event.tags.step === 'beforeSend throws') throw new Error('beforeSend says no');
    return event;
  },
  beforeBreadcrumb(crumb) {
    breadcrumbHookCalls++;
    if (crumb.category === 'throws') throw new Error('beforeBreadcrumb says no');
    return crumb;
  },
});

const escaped = [];
function call(label, fn) {
  try {
    fn();
  } catch (error) {
    escaped.push(`${label}: ${String(error && error.message)}`);
  }
}

function resetScope() {
  Faultline.setExtra('hostile', undefined);
  Faultline.setContext('hostile', null);
  Faultline.setTag('hostile', '');
  Faultline.setUser(null);
  Faultline.getIsolationScope().clearBreadcrumbs();
}

async function main() {
  for (const [name, make] of values) {
    call(`captureException(${name})`, () => Faultline.captureException(make()));
    call(`captureMessage(${name})`, () => Faultline.captureMessage(make()));
    const setters = {
      setExtra: () => Faultline.setExtra('hostile', make()),
      setContext: () => Faultline.setContext('hostile', make()),
      setTag: () => Faultline.setTag('hostile', make()),
      setUser: () => Faultline.setUser(make()),
      addBreadcrumb: () => Faultline.addBreadcrumb({ category: 'hostile', data: make() }),
    };
    for (const [setter, set] of Object.entries(setters)) {
      call(`${setter}(${name})`, set);
      call(`capture after ${setter}(${name})`, () => Faultline.captureException(new Error(`after ${setter}: ${name}`)));
      call('reset', resetScope);
    }
    // Delivered before the next value, so nothing is lost to a full queue.
    await Faultline.flush(10_000);
  }

  // Throwing hooks: the event is dropped (and counted), the breadcrumb kept; nothing reaches the app.
  call('beforeSend throws', () =>
    Faultline.withScope((scope) => {
      scope.setTag('step', 'beforeSend throws');
      Faultline.captureException(new Error('dropped by a throwing beforeSend'));
    }),
  );
  call('beforeBreadcrumb throws', () => Faultline.addBreadcrumb({ category: 'throws', message: 'kept as it was' }));

  // The app's own error inside withScope comes out unchanged.
  const own = new RangeError("the app's own");
  let propagated;
  try {
    Faultline.withScope(() => {
      throw own;
    });
  } catch (error) {
    propagated = error;
  }

  Faultline.captureException(new Error('still works afterwards'));
  const flushed = await Faultline.flush(10_000);
  console.log(JSON.stringify({ escaped, flushed, propagatedUnchanged: propagated === own, breadcrumbHookCalls }));
}

main();
