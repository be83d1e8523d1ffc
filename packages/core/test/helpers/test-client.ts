import {
  Client,
  createTransport,
  fullPipeline,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  initAndBind,
  parseEnvelope,
  type ClientOptions,
  type Envelope,
  type Event,
  type Options,
} from '@faultline/core';

export interface Sent {
  client: Client;
  envelopes: Envelope[];
  urls: string[];
  events(): Event[];
  clientReports(): Array<{ discarded_events: Array<{ reason: string; category: string; quantity: number }> }>;
}

/**
 * A client bound to the current scope whose transport serializes every envelope for real and keeps
 * what it would have posted, parsed back, so tests assert on the wire form.
 */
export function initTestClient(options: Partial<ClientOptions> & Options = {}): Sent {
  getGlobalScope().clear();
  getIsolationScope().clear();
  getCurrentScope().clear();
  const envelopes: Envelope[] = [];
  const urls: string[] = [];
  const client = initAndBind({
    ...fullPipeline,
    dsn: 'https://public@errors.example.com/42',
    stackParser: () => [],
    integrations: [],
    platform: 'javascript',
    sdk: { name: 'faultline.javascript.test', version: '0.0.0' },
    transport: (transportOptions) =>
      createTransport(transportOptions, async ({ body }) => {
        urls.push(transportOptions.url);
        envelopes.push(parseEnvelope(body));
        return { statusCode: 200, headers: {} };
      }),
    ...options,
  } as ClientOptions);
  const items = (type: string) => envelopes.flatMap(([, list]) => list.filter(([header]) => header.type === type).map(([, payload]) => payload));
  return {
    client,
    envelopes,
    urls,
    events: () => items('event') as Event[],
    clientReports: () => items('client_report') as ReturnType<Sent['clientReports']>,
  };
}
