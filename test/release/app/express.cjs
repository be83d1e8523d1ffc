// An Express app with @faultline/express that answers one request with an error, then shuts down.
// Prints what the client saw: the status, the X-Faultline-Event-Id header and the app's support code.
const express = require('express');
const Faultline = require('@faultline/node');
const { errorHandler, requestHandler } = require('@faultline/express');

Faultline.init({ spoolDir: false });

const app = express();
app.use(requestHandler());
app.get('/orders/:id', () => {
  throw new Error('order lookup failed');
});
app.use(errorHandler());
app.use((error, req, res, next) => {
  res.status(500).json({ supportCode: Faultline.lastEventId() });
});

const server = app.listen(0, '127.0.0.1', async () => {
  const response = await fetch(`http://127.0.0.1:${server.address().port}/orders/42?token=hunter2`);
  const body = await response.json();
  console.log(JSON.stringify({ status: response.status, eventId: response.headers.get('x-faultline-event-id'), body }));
  server.closeAllConnections();
  server.close();
  if (!(await Faultline.close(5000))) process.exitCode = 1;
});
