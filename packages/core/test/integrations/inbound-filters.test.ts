import { afterEach, describe, expect, it } from 'vitest';
import { captureException, captureMessage, getCurrentScope, inboundFiltersIntegration } from '@faultline/core';
import type { StackFrame } from '@faultline/core';
import { initTestClient } from '../helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

/** A stack parser that places every error in the file named by its message prefix "file.js|". */
const fileParser = (stack: string): StackFrame[] => {
  const file = /(\S+\.js)\|/.exec(stack)?.[1];
  return file ? [{ filename: `https://cdn.example.com/${file}`, function: 'f', lineno: 1, colno: 1, in_app: true }] : [];
};

describe('inboundFiltersIntegration', () => {
  it('drops errors matching ignoreErrors (string or RegExp) and cross-origin "Script error."', async () => {
    const sent = initTestClient({ integrations: [inboundFiltersIntegration()], ignoreErrors: ['ResizeObserver', /^Timeout \d+$/] });
    captureException(new Error('ResizeObserver loop limit exceeded'));
    captureException(new Error('Timeout 30'));
    captureMessage('Script error.');
    captureException(new Error('a real problem'));
    await sent.client.flush(2000);
    expect(sent.events().map((e) => e.exception?.values.at(-1)?.value ?? e.logentry?.message)).toEqual(['a real problem']);
    expect(sent.clientReports()[0]!.discarded_events).toEqual([{ reason: 'event_processor', category: 'error', quantity: 3 }]);
  });

  it('filters by the URL of the throwing script with denyUrls and allowUrls', async () => {
    const sent = initTestClient({
      stackParser: fileParser,
      integrations: [inboundFiltersIntegration({ denyUrls: [/extensions\//] })],
      allowUrls: ['cdn.example.com'],
    });
    captureException(new Error('extensions/ad.js| from an extension'));
    captureException(new Error('app.js| from our app'));
    await sent.client.flush(2000);
    expect(sent.events().map((e) => e.exception?.values.at(-1)?.value)).toEqual(['app.js| from our app']);
  });
});
