import { describe, expect, it } from 'vitest';
import { disabledUntil, isRateLimited, updateRateLimits } from '../../src/transport/rate-limits';

const NOW = 1_700_000_000_000;

describe('updateRateLimits', () => {
  it('reads per-category limits from X-Sentry-Rate-Limits', () => {
    const limits = updateRateLimits(
      {},
      { statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error;attachment:key:quota_exceeded, 2700:session:organization' } },
      NOW,
    );
    expect(limits).toEqual({ error: NOW + 60_000, attachment: NOW + 60_000, session: NOW + 2_700_000 });
    expect(isRateLimited(limits, 'error', NOW + 59_999)).toBe(true);
    expect(isRateLimited(limits, 'error', NOW + 60_000)).toBe(false);
    expect(isRateLimited(limits, 'monitor', NOW)).toBe(false);
  });

  it('applies the header on any status, 200 included', () => {
    const limits = updateRateLimits({}, { statusCode: 200, headers: { 'x-sentry-rate-limits': '10:error:key' } }, NOW);
    expect(isRateLimited(limits, 'error', NOW)).toBe(true);
    expect(isRateLimited(limits, 'session', NOW)).toBe(false);
  });

  it('treats an empty category list as all categories', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': '30::organization' } }, NOW);
    expect(limits).toEqual({ all: NOW + 30_000 });
    for (const category of ['error', 'internal', 'attachment', 'anything']) {
      expect(isRateLimited(limits, category, NOW + 29_000)).toBe(true);
    }
  });

  it('accepts float seconds', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': '1.5:error:key' } }, NOW);
    expect(disabledUntil(limits, 'error')).toBe(NOW + 1_500);
  });

  it('keeps the longest limit when a category is named twice, in one header or across responses', () => {
    let limits = updateRateLimits(
      {},
      { statusCode: 429, headers: { 'x-sentry-rate-limits': '600:error:key, 60:error;session:org' } },
      NOW,
    );
    expect(limits).toEqual({ error: NOW + 600_000, session: NOW + 60_000 });
    limits = updateRateLimits(limits, { statusCode: 200, headers: { 'x-sentry-rate-limits': '5:error:key' } }, NOW);
    expect(disabledUntil(limits, 'error')).toBe(NOW + 600_000);
  });

  it('ignores spaces, unknown extra fields and garbage groups', () => {
    const limits = updateRateLimits(
      {},
      {
        statusCode: 429,
        headers: { 'x-sentry-rate-limits': ' 20 : error ; monitor : key : reason : ns : future ,garbage, -5:session, :attachment, abc:default' },
      },
      NOW,
    );
    expect(limits).toEqual({ error: NOW + 20_000, monitor: NOW + 20_000 });
  });

  it('uses Retry-After in seconds on a 429 without the Sentry header', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'retry-after': '120' } }, NOW);
    expect(limits).toEqual({ all: NOW + 120_000 });
  });

  it('uses Retry-After as an HTTP date', () => {
    const until = new Date(NOW + 45_000).toUTCString();
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'retry-after': until } }, NOW);
    expect(limits).toEqual({ all: Date.parse(until) });
  });

  it('backs off 60 s on a 429 without usable headers', () => {
    expect(updateRateLimits({}, { statusCode: 429 }, NOW)).toEqual({ all: NOW + 60_000 });
    expect(updateRateLimits({}, { statusCode: 429, headers: { 'retry-after': 'soon' } }, NOW)).toEqual({ all: NOW + 60_000 });
    expect(updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': 'junk' } }, NOW)).toEqual({
      all: NOW + 60_000,
    });
  });

  it('prefers X-Sentry-Rate-Limits over Retry-After', () => {
    const limits = updateRateLimits(
      {},
      { statusCode: 429, headers: { 'x-sentry-rate-limits': '10:error:key', 'retry-after': '3600' } },
      NOW,
    );
    expect(limits).toEqual({ error: NOW + 10_000 });
  });

  it('ignores Retry-After when the status is not 429', () => {
    expect(updateRateLimits({}, { statusCode: 503, headers: { 'retry-after': '30' } }, NOW)).toEqual({});
  });

  it('drops expired limits and leaves its input untouched', () => {
    const before = { error: NOW - 1, session: NOW + 5_000 };
    const after = updateRateLimits(before, { statusCode: 200, headers: {} }, NOW);
    expect(after).toEqual({ session: NOW + 5_000 });
    expect(before).toEqual({ error: NOW - 1, session: NOW + 5_000 });
  });
});

describe('disabledUntil', () => {
  it('takes the later of the category and the all-categories limit', () => {
    expect(disabledUntil({ error: 5, all: 9 }, 'error')).toBe(9);
    expect(disabledUntil({ error: 12, all: 9 }, 'error')).toBe(12);
    expect(disabledUntil({}, 'error')).toBe(0);
  });
});
