import { describe, expect, it, vi } from 'vitest';
import { validateOptions } from '@faultline/core';

describe('validateOptions', () => {
  it('drops a wrongly typed option with one warning so its default applies', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const valid = validateOptions({ sampleRate: 7, release: 'r1', maxBreadcrumbs: 'many' as unknown as number });
      expect(valid).toEqual({ release: 'r1' });
      expect(warn.mock.calls.map((c) => String(c[1]))).toEqual([
        expect.stringContaining('sampleRate'),
        expect.stringContaining('maxBreadcrumbs'),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps valid options untouched', () => {
    const beforeSend = () => null;
    const options = { dsn: 'https://k@h/1', sampleRate: 0.5, ignoreErrors: ['x', /y/], beforeSend, enabled: false };
    expect(validateOptions(options)).toEqual(options);
  });
});
