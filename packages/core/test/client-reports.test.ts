import { describe, expect, it } from 'vitest';
import { clientReportEnvelope, createClientReports } from '../src/client-reports';
import { parseEnvelope, serializeEnvelope } from '../src/envelope';

describe('createClientReports', () => {
  it('aggregates quantities per reason and category', () => {
    const reports = createClientReports();
    reports.record('queue_overflow', 'error');
    reports.record('queue_overflow', 'error', 3);
    reports.record('queue_overflow', 'attachment');
    reports.record('sample_rate', 'error', 2);
    expect(reports.size()).toBe(3);

    expect(reports.take(1_714_564_800_500)).toEqual({
      timestamp: 1_714_564_800.5,
      discarded_events: [
        { reason: 'queue_overflow', category: 'error', quantity: 4 },
        { reason: 'queue_overflow', category: 'attachment', quantity: 1 },
        { reason: 'sample_rate', category: 'error', quantity: 2 },
      ],
    });
  });

  it('clears the counts on take and has nothing to report after', () => {
    const reports = createClientReports();
    expect(reports.take()).toBeUndefined();
    reports.record('network_error', 'error');
    expect(reports.take()).toBeDefined();
    expect(reports.size()).toBe(0);
    expect(reports.take()).toBeUndefined();
    reports.record('network_error', 'error');
    expect(reports.take()?.discarded_events).toEqual([{ reason: 'network_error', category: 'error', quantity: 1 }]);
  });

  it('ignores quantities that are not positive numbers', () => {
    const reports = createClientReports();
    for (const quantity of [0, -1, NaN, Infinity, 0.5]) reports.record('send_error', 'error', quantity);
    expect(reports.take()).toBeUndefined();
  });
});

describe('clientReportEnvelope', () => {
  it('wraps the report in one client_report item, with sdk and dsn in the header when given', () => {
    const report = { timestamp: 1_714_564_800, discarded_events: [{ reason: 'send_error' as const, category: 'error' as const, quantity: 2 }] };
    const sdk = { name: 'faultline.javascript.browser', version: '1.0.0' };
    const envelope = clientReportEnvelope(report, sdk, 'https://key@example.com/1');
    const [header, items] = parseEnvelope(serializeEnvelope(envelope, () => 1_714_564_801_000));
    expect(header).toEqual({ sdk, dsn: 'https://key@example.com/1', sent_at: '2024-05-01T12:00:01.000Z' });
    expect(items).toEqual([[{ type: 'client_report' }, report]]);
    expect(clientReportEnvelope(report)[0]).toEqual({});
  });
});
