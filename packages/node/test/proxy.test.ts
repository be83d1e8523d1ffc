import { describe, expect, it } from 'vitest';
import { isNoProxy, proxyFor } from '../src/proxy';

const https = new URL('https://o1.ingest.example.com/api/1/envelope/');
const http = new URL('http://sentry.internal:9000/api/1/envelope/');

describe('proxyFor', () => {
  it('takes the explicit proxy over the environment', () => {
    expect(proxyFor(https, 'http://explicit:3128', { HTTPS_PROXY: 'http://env:3128' })?.host).toBe('explicit:3128');
  });

  it('reads https_proxy for https targets and http_proxy for both, lowercase first', () => {
    expect(proxyFor(https, undefined, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })?.host).toBe('lower:1');
    expect(proxyFor(https, undefined, { HTTPS_PROXY: 'http://upper:1', http_proxy: 'http://plain:1' })?.host).toBe('upper:1');
    expect(proxyFor(https, undefined, { HTTP_PROXY: 'http://plain:1' })?.host).toBe('plain:1');
    expect(proxyFor(http, undefined, { HTTPS_PROXY: 'http://secure-only:1' })).toBeUndefined();
    expect(proxyFor(http, undefined, {})).toBeUndefined();
  });

  it('accepts a proxy without scheme and ignores one that is not http(s)', () => {
    expect(proxyFor(http, undefined, { http_proxy: 'proxy.local:8080' })?.href).toBe('http://proxy.local:8080/');
    expect(proxyFor(http, 'socks5://proxy:1080', {})).toBeUndefined();
  });

  it('goes direct for NO_PROXY hosts, also with an explicit proxy', () => {
    expect(proxyFor(https, 'http://p:1', { NO_PROXY: 'example.com' })).toBeUndefined();
    expect(proxyFor(https, undefined, { https_proxy: 'http://p:1', no_proxy: 'other.org' })?.host).toBe('p:1');
  });
});

describe('isNoProxy', () => {
  const cases: Array<[string, boolean]> = [
    ['*', true],
    ['example.com', true],
    ['.example.com', true],
    ['*.example.com', true],
    ['ingest.example.com', true],
    ['xample.com', false],
    ['o1.ingest.example.com:443', true],
    ['o1.ingest.example.com:8443', false],
    ['foo.org, example.com', true],
    ['foo.org bar.org', false],
    ['', false],
  ];
  it.each(cases)('no_proxy=%j for o1.ingest.example.com is %s', (list, expected) => {
    expect(isNoProxy(https, list)).toBe(expected);
  });

  it('matches default and explicit ports and IP addresses', () => {
    expect(isNoProxy(http, 'sentry.internal:9000')).toBe(true);
    expect(isNoProxy(new URL('http://127.0.0.1:80/'), '127.0.0.1:80')).toBe(true);
    expect(isNoProxy(new URL('http://[::1]:9000/'), '[::1]')).toBe(true);
    expect(isNoProxy(new URL('http://[::1]:9000/'), '::1')).toBe(true);
  });
});
