import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, validateClientReport, type Receiver } from '@faultline/testkit';
import { buildEnvelope } from './build-envelope';

describe('validateClientReport', () => {
  it('accepts a well-formed report', () => {
    const report = { timestamp: 1_700_000_000.25, discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 3 }] };
    expect(validateClientReport(report)).toEqual([]);
    expect(validateClientReport({ ...report, timestamp: '2024-05-01T12:00:00Z' })).toEqual([]);
  });

  it('names each problem', () => {
    expect(validateClientReport({ discarded_events: [{ reason: 'bored', category: 'error', quantity: 0 }, 'x'] })).toEqual([
      '"timestamp" must be seconds or an RFC 3339 string, got undefined',
      'discarded_events[0].reason: unknown reason "bored"',
      'discarded_events[0].quantity must be a positive integer, got 0',
      'discarded_events[1] must be an object',
    ]);
    expect(validateClientReport({ timestamp: 1 })).toEqual(['"discarded_events" must be an array']);
    expect(validateClientReport(null)).toEqual(['client report must be a JSON object']);
  });
});

describe('client reports at the receiver', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const sendReport = (report: unknown): Promise<Response> =>
    fetch(`${receiver.url}/api/1/envelope/?sentry_key=public`, {
      method: 'POST',
      body: new Uint8Array(buildEnvelope({ sent_at: new Date().toISOString() }, [[{ type: 'client_report' }, report]])),
    });

  it('records reports and sums what was discarded by reason and category', async () => {
    await sendReport({ timestamp: 1, discarded_events: [{ reason: 'sample_rate', category: 'error', quantity: 2 }, { reason: 'network_error', category: 'error', quantity: 1 }] });
    await sendReport({ timestamp: 2, discarded_events: [{ reason: 'sample_rate', category: 'error', quantity: 5 }] });
    expect(receiver.clientReports()).toHaveLength(2);
    expect(receiver.discarded()).toEqual({ 'sample_rate:error': 7, 'network_error:error': 1 });
    expect(receiver.violations()).toEqual([]);
  });

  it('records a violation for a malformed report', async () => {
    await sendReport({ timestamp: 1, discarded_events: [{ reason: 'sample_rate', category: 'errors', quantity: 1 }] });
    expect(receiver.violations()).toEqual([expect.objectContaining({ kind: 'client_report', message: expect.stringContaining('"errors"') })]);
  });
});
