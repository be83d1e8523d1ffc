import { describe, expect, it } from 'vitest';
import { dsnToString, envelopeEndpoint, parseDsn } from '@faultline/core';

describe('parseDsn', () => {
  it('reads key, host, port, path and project id', () => {
    expect(parseDsn('https://abc123@o1.ingest.example.com:8443/sub/path/42')).toEqual({
      protocol: 'https',
      publicKey: 'abc123',
      host: 'o1.ingest.example.com',
      port: '8443',
      path: '/sub/path',
      projectId: '42',
    });
  });

  it('accepts the legacy secret part and ignores it', () => {
    expect(parseDsn('http://pub:secret@127.0.0.1:9000/7')?.publicKey).toBe('pub');
  });

  it.each([undefined, null, 42, '', 'not a dsn', 'https://host/1', 'ftp://k@host/1', 'https://k@host/', 'https://k@host/abc'])(
    'returns undefined for %j',
    (input) => {
      expect(parseDsn(input)).toBeUndefined();
    },
  );

  it('round-trips through dsnToString', () => {
    const dsn = 'https://k@example.com/prefix/3';
    expect(dsnToString(parseDsn(dsn)!)).toBe(dsn);
  });
});

describe('envelopeEndpoint', () => {
  it('puts auth in the query string so browsers need no preflight', () => {
    const url = envelopeEndpoint(parseDsn('https://k3y@example.com:8080/p/5')!, 'faultline.javascript.node', '1.2.3');
    expect(url).toBe('https://example.com:8080/p/api/5/envelope/?sentry_version=7&sentry_key=k3y&sentry_client=faultline.javascript.node%2F1.2.3');
  });

  it('uses a tunnel URL as it is', () => {
    expect(envelopeEndpoint(parseDsn('https://k@example.com/5')!, 'x', '1', '/tunnel')).toBe('/tunnel');
  });
});
