import { describe, expect, it } from 'vitest';
import { uuid4 } from '../src/event-id';

describe('uuid4', () => {
  it('makes distinct 32-hex v4 ids, also past one pool of random bytes and without crypto', () => {
    const ids = Array.from({ length: 600 }, () => uuid4());
    ids.push(...Array.from({ length: 300 }, () => uuid4(undefined)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});
