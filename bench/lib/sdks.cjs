// How each SDK is started, captures, flushes and hooks into express/koa/fastify, all pointed at the
// bench receiver on 127.0.0.1. Defaults everywhere else: the point is what an app gets out of the box.
// Frameworks must be required AFTER init: @sentry/node patches them on load (OpenTelemetry hooks).
'use strict';

const KEY = '0123456789abcdef0123456789abcdef';
const base = (port) => `http://127.0.0.1:${port}`;
const sentryDsn = (port) => `http://public@127.0.0.1:${port}/1`;

const none = {
  label: 'bare',
  init() {},
  capture() {},
  flush: async () => {},
  express: { before() {}, after() {} },
  koa() {},
  fastify() {},
};

let F;
const faultline = {
  label: 'Faultline',
  packages: ['@faultline/node', '@faultline/express', '@faultline/koa', '@faultline/fastify', '@faultline/browser'],
  startup: {
    cjs: "require('@faultline/node').init({ dsn: DSN })",
    esm: "import * as F from '@faultline/node'; F.init({ dsn: DSN })",
    dsn: sentryDsn,
  },
  init({ port }) {
    F = require('@faultline/node');
    // A spool of its own for each run (lib/child.mjs): with the default, one per DSN, a run would
    // send what the run before it left behind.
    F.init({ dsn: sentryDsn(port), spoolDir: process.env.FAULTLINE_BENCH_SPOOL || undefined });
  },
  capture: (error) => F.captureException(error),
  flush: (ms) => F.flush(ms),
  express: {
    before: (app) => app.use(require('@faultline/express').requestHandler()),
    after: (app) => app.use(require('@faultline/express').errorHandler()),
  },
  koa: (app) => app.use(require('@faultline/koa').middleware()),
  fastify: (app) => app.register(require('@faultline/fastify').plugin),
};

let Sentry;
const sentry = {
  label: '@sentry/node',
  packages: ['@sentry/node', '@sentry/browser'],
  startup: {
    cjs: "require('@sentry/node').init({ dsn: DSN })",
    esm: "import * as Sentry from '@sentry/node'; Sentry.init({ dsn: DSN })",
    dsn: sentryDsn,
  },
  init({ port }) {
    Sentry = require('@sentry/node');
    Sentry.init({ dsn: sentryDsn(port) });
  },
  capture: (error) => Sentry.captureException(error),
  flush: (ms) => Sentry.flush(ms),
  express: { before() {}, after: (app) => Sentry.setupExpressErrorHandler(app) },
  koa: (app) => Sentry.setupKoaErrorHandler(app),
  fastify: (app) => Sentry.setupFastifyErrorHandler(app),
};

let Bugsnag;
const bugsnagOptions = (port) =>
  `{ apiKey: '${KEY}', endpoints: { notify: '${base(port)}/bugsnag/notify', sessions: '${base(port)}/bugsnag/sessions' }, logger: process.env.BENCH_DEBUG ? undefined : null }`;
const bugsnag = {
  label: 'Bugsnag',
  packages: ['@bugsnag/js', '@bugsnag/plugin-express', '@bugsnag/plugin-koa'],
  startup: {
    cjs: 'require(\'@bugsnag/js\').start(OPTIONS)',
    esm: "import Bugsnag from '@bugsnag/js'; Bugsnag.start(OPTIONS)",
    options: bugsnagOptions,
  },
  init({ port, framework }) {
    Bugsnag = require('@bugsnag/js');
    const plugins = framework === 'express' ? [require('@bugsnag/plugin-express')] : framework === 'koa' ? [require('@bugsnag/plugin-koa')] : [];
    Bugsnag.start({ ...Function(`return ${bugsnagOptions(port)}`)(), plugins });
  },
  capture: (error) => Bugsnag.notify(error),
  // Bugsnag has no flush; the receiver waits until the deliveries stop.
  flush: async () => {},
  express: {
    before: (app) => app.use(Bugsnag.getPlugin('express').requestHandler),
    after: (app) => app.use(Bugsnag.getPlugin('express').errorHandler),
  },
  koa(app) {
    const middleware = Bugsnag.getPlugin('koa');
    app.use(middleware.requestHandler);
    app.on('error', middleware.errorHandler);
  },
  fastify: undefined,
};

let rollbar;
const rollbar3 = {
  label: 'Rollbar',
  packages: ['rollbar'],
  startup: {
    cjs: "const Rollbar = require('rollbar'); new Rollbar({ accessToken: KEY, endpoint: BASE + '/rollbar/api/1/' })",
    esm: "import Rollbar from 'rollbar'; new Rollbar({ accessToken: KEY, endpoint: BASE + '/rollbar/api/1/' })",
  },
  init({ port }) {
    const Rollbar = require('rollbar');
    rollbar = new Rollbar({ accessToken: KEY, endpoint: `${base(port)}/rollbar/api/1/` });
  },
  capture: (error) => rollbar.error(error),
  flush: (ms) => Promise.race([new Promise((resolve) => rollbar.wait(resolve)), delay(ms)]),
  express: { before() {}, after: (app) => app.use(rollbar.errorHandler()) },
  koa: undefined,
  fastify: undefined,
};

let Honeybadger;
const honeybadger = {
  label: 'Honeybadger',
  packages: ['@honeybadger-io/js'],
  startup: {
    cjs: "require('@honeybadger-io/js').configure({ apiKey: KEY, endpoint: 'http://127.0.0.1/honeybadger', reportData: true })",
    esm: "import Honeybadger from '@honeybadger-io/js'; Honeybadger.configure({ apiKey: KEY, endpoint: 'http://127.0.0.1/honeybadger', reportData: true })",
  },
  init({ port }) {
    Honeybadger = require('@honeybadger-io/js');
    // Honeybadger ignores the port of `endpoint` (see lib/receiver.mjs): port 80 it is.
    Honeybadger.configure({ apiKey: KEY, endpoint: 'http://127.0.0.1/honeybadger', reportData: true });
  },
  capture: (error) => Honeybadger.notify(error),
  flush: (ms) => Promise.race([Honeybadger.flushAsync(), delay(ms)]),
  express: {
    before: (app) => app.use(Honeybadger.requestHandler),
    after: (app) => app.use(Honeybadger.errorHandler),
  },
  koa: undefined,
  fastify: (app) => app.register(require('@honeybadger-io/js/dist/server/fastify').fastifyPlugin(Honeybadger)),
};

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The source of a start-up script: require/import of the SDK and its init, nothing else. */
function startupSource(name, format, port) {
  const s = SDKS[name].startup;
  const body = s[format]
    .replace('DSN', JSON.stringify(s.dsn ? s.dsn(port) : ''))
    .replace('OPTIONS', s.options ? s.options(port) : '')
    .replaceAll('KEY', JSON.stringify(KEY))
    .replaceAll('BASE', JSON.stringify(base(port)));
  return body;
}

const SDKS = { none, faultline, sentry, bugsnag, rollbar: rollbar3, honeybadger };
module.exports = { SDKS, KEY, startupSource };
