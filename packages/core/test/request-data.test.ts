import { describe, expect, it } from 'vitest';
import { validateEvent } from '@faultline/testkit';
import { toRequestData } from '../src/request-data';

const secrets = {
  host: 'shop.example',
  accept: 'application/json',
  cookie: 'sid=s3cr3t',
  authorization: 'Bearer abc',
  'Proxy-Authorization': 'Basic xyz',
  'X-Api-Key': 'k-123',
  'x-auth-token': 't-456',
  'x-forwarded-for': '203.0.113.9',
  'user-agent': 'curl/8',
};

describe('toRequestData', () => {
  it('keeps method, URL and harmless headers', () => {
    const data = toRequestData({ method: 'get', url: '/orders/7?page=2', headers: { host: 'shop.example', accept: 'text/html' } });
    expect(data).toEqual({
      method: 'GET',
      url: 'http://shop.example/orders/7',
      query_string: 'page=2',
      headers: { host: 'shop.example', accept: 'text/html' },
    });
  });

  it('leaves out cookies, auth and API-key headers, proxy IP headers and the client IP by default', () => {
    const data = toRequestData({ method: 'POST', url: '/login', headers: secrets, ip: '198.51.100.4' });
    expect(data.headers).toEqual({ host: 'shop.example', accept: 'application/json', 'user-agent': 'curl/8' });
    expect(JSON.stringify(data)).not.toMatch(/s3cr3t|abc|xyz|k-123|t-456|203\.0\.113\.9|198\.51\.100\.4/);
  });

  it('drops secret-looking query parameters and keeps the others', () => {
    const data = toRequestData({
      url: '/cb?page=2&password=hunter2&api_key=k1&apiKey=k2&access_token=t&Session=s&credentials=c&q=shoes&pass%77ord=x',
      headers: { host: 'h' },
    });
    expect(data.query_string).toBe('page=2&q=shoes');
  });

  it('omits the query string when every parameter is secret', () => {
    expect(toRequestData({ url: '/x?token=1&secret=2' }).query_string).toBeUndefined();
  });

  it('strips user info and fragment from absolute URLs', () => {
    expect(toRequestData({ url: 'https://bob:pw@api.example:8443/v1/items?x=1#top' })).toEqual({
      url: 'https://api.example:8443/v1/items',
      query_string: 'x=1',
    });
  });

  it('uses the given protocol to complete a path', () => {
    expect(toRequestData({ url: '/a', protocol: 'https', headers: { host: 'h.example' } }).url).toBe('https://h.example/a');
  });

  it('sends everything, with the client IP, when sendDefaultPii is set', () => {
    const data = toRequestData({ url: '/x?token=1', headers: secrets, ip: '198.51.100.4' }, { sendDefaultPii: true });
    expect(data.query_string).toBe('token=1');
    expect(data.headers).toMatchObject({ cookie: 'sid=s3cr3t', authorization: 'Bearer abc', 'x-api-key': 'k-123' });
    expect(data.env).toEqual({ REMOTE_ADDR: '198.51.100.4' });
  });

  it('joins repeated headers and lower-cases names', () => {
    expect(toRequestData({ headers: { Accept: ['a', 'b'], 'Content-Length': 3, skipped: undefined } }).headers).toEqual({
      accept: 'a, b',
      'content-length': '3',
    });
  });

  it('never throws, and gives a request the event schema accepts', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(toRequestData({ headers: hostile as Record<string, string> })).toEqual({});
    const request = toRequestData({ method: 'GET', url: '/y?a=%E0%A4%A', headers: secrets, ip: '::1' }, { sendDefaultPii: true });
    expect(validateEvent({ event_id: 'a'.repeat(32), timestamp: 1, platform: 'node', request })).toEqual([]);
  });
});
