import { afterEach, describe, expect, it } from 'vitest';
import { captureException, captureMessage, createStackParser, dedupeIntegration, getCurrentScope } from '@faultline/core';
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

  it('keeps a repeat of the message thrown from elsewhere, or given another fingerprint', async () => {
    const sent = initTestClient({ integrations: [dedupeIntegration()], stackParser: createStackParser() });
    const errors = [new Error('same message'), new Error('same message')]; // two columns: two stacks
    captureException(errors[0]);
    captureException(errors[1]);
    captureException(errors[1], { fingerprint: ['other'] });
    captureMessage('same message');
    captureMessage('same message');
    await sent.client.flush(2000);
    expect(sent.events().map((event) => event.fingerprint ?? event.logentry?.message ?? event.exception?.values[0]!.value)).toEqual([
      'same message',
      'same message',
      ['other'],
      'same message',
    ]);
  });
});
