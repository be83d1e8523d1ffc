// The page's own script. Tests assert on the function names and line numbers below: keep them put.
var dsn = new URLSearchParams(location.search).get('dsn');
Faultline.init({ dsn: dsn, release: 'page@1.0.0', environment: 'test' });
Faultline.setTag('page', 'cdn');

function handledError() {
  try {
    throw new Error('handled in the page');
  } catch (error) {
    return Faultline.captureException(error);
  }
}

function timerCallback() {
  throw new TypeError('uncaught in a timer');
}

function rejectLater() {
  return Promise.reject(new RangeError('rejected and never handled'));
}

// Called by the test after a click: a console line and a fetch first, for breadcrumbs.
window.runScenario = function () {
  console.log('page console line');
  return fetch('/ping').then(function () {
    handledError();
    Faultline.captureMessage('a message from the page', 'warning');
    setTimeout(timerCallback, 0);
    rejectLater();
    return navigator.userAgent;
  });
};
