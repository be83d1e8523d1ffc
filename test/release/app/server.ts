// Never run: copied to server.cts and server.mts and type-checked as CommonJS and as ESM (strict,
// nodenext) against the published declarations by
// test/release/packages.test.ts, using the server packages the way their READMEs show.
import { parseDsn, type Event, type EventHint, type Integration } from '@faultline/core';
import { errorHandler, requestHandler } from '@faultline/express';
import { plugin } from '@faultline/fastify';
import { middleware } from '@faultline/koa';
import * as Faultline from '@faultline/node';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

const dropHealthChecks = (event: Event, _hint: EventHint): Event | null => (event.transaction === 'GET /health' ? null : event);
const client: Faultline.Client | undefined = Faultline.init({
  dsn: 'http://public@127.0.0.1:9/1',
  release: 'app@1.0.0',
  beforeSend: dropHealthChecks,
  integrations: (defaults: Integration[]) => [...defaults, Faultline.consoleIntegration({ levels: ['error'] })],
  spoolDir: false,
});
const eventId: string = Faultline.captureException(new Error('boom'), { tags: { area: 'checkout' } });
Faultline.captureMessage('disk almost full', 'warning');
Faultline.setUser({ id: '42', email: 'ada@example.com' });
Faultline.withScope((scope) => {
  scope.setTag('eventId', eventId);
});
const host: string | undefined = parseDsn('http://public@127.0.0.1:9/1')?.host;

const app = express();
app.use(requestHandler());
app.get('/orders/:id', () => {
  throw new Error('order lookup failed');
});
app.use(errorHandler({ shouldHandleError: (error) => !(error instanceof TypeError) }));

const koa = new Koa();
koa.use(middleware());

const fastify = Fastify();
void fastify.register(plugin, { shouldHandleError: (_error, _request, reply) => reply.statusCode >= 500 });

export const flushed: Promise<boolean> = Faultline.flush(2000);
export { client, host };
