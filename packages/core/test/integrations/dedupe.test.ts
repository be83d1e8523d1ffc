import { afterEach, describe, expect, it } from 'vitest';
import { captureException, captureMessage, dedupeIntegration, getCurrentScope } from '@faultline/core';
import { initTestClient } from '../helpers/test-client';

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

describe('dedupeIntegration', () => {
  it('drops the same error reported twice in a row, and counts it', async () => {
    const sent = initTestClient({ integrations: [dedupeIntegration()] });
    const error = new Error('once');
    captureException(error);
    captureException(error);
    await sent.client.flush(2000);
    expect(sent.events()).toHaveLength(1);
    expect(sent.clientReports()[0]!.discarded_events).toEqual([{ reason: 'event_processor', category: 'error', quantity: 1 }]);
  });

  it('keeps different errors and a repeat that is not directly after', async () => {
    const sent = initTestClient({ integrations: [dedupeIntegration()] });
    captureException(new Error('a'));
    captureException(new Error('b'));
    captureException(new Error('a'));
    captureMessage('a');
    await sent.client.flush(2000);
    expect(sent.events()).toHaveLength(4);
  });
});
