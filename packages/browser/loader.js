// The Faultline loader snippet: paste it, filled in, into <head> before every other script, in place
// of the <script src=".../faultline.min.js"> tag. Until the bundle has loaded it keeps `Faultline.*`
// calls and the page's uncaught errors and unhandled rejections in a queue; the bundle replays them.
// (Calls made before the bundle loaded return undefined instead of an event id.)
(function (w, d, src, integrity) {
  var q = [];
  var F = (w.Faultline = { q: q });
  'init captureException captureMessage captureEvent addBreadcrumb setUser setTag setTags setContext setExtra setExtras'
    .split(' ')
    .forEach(function (name) {
      F[name] = function () {
        q.push([name, arguments]);
      };
    });
  ['error', 'unhandledrejection'].forEach(function (type) {
    w.addEventListener(type, (F[type] = function (event) {
      q.push([type, event]);
    }));
  });
  var s = d.createElement('script');
  s.src = src;
  s.crossOrigin = 'anonymous';
  if (integrity) s.integrity = integrity;
  d.head.appendChild(s);
})(window, document, '{{BUNDLE_URL}}', '{{INTEGRITY}}');
