import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAsyncContextStrategy } from '@faultline/core';
import { getCurrentScope, getIsolationScope, setTag, withIsolationScope, withScope } from '@faultline/node';
import { createAsyncLocalStorageStrategy } from '../src/async-context';

beforeAll(() => setAsyncContextStrategy(createAsyncLocalStorageStrategy()));
afterAll(() => setAsyncContextStrategy(undefined));

const tagsOf = (): Record<string, string> => ({ ...getIsolationScope().getData().tags, ...getCurrentScope().getData().tags });

describe('AsyncLocalStorage strategy', () => {
  it('keeps each concurrent task on its own isolation scope across awaits', async () => {
    const task = (name: string, delays: number[]): Promise<string[]> =>
      withIsolationScope(async () => {
        const seen: string[] = [];
        setTag('task', name);
        for (const ms of delays) {
          await sleep(ms);
          seen.push(tagsOf().task!);
        }
        return seen;
      });
    const [a, b] = await Promise.all([task('a', [5, 1, 5]), task('b', [1, 5, 1])]);
    expect(a).toEqual(['a', 'a', 'a']);
    expect(b).toEqual(['b', 'b', 'b']);
    expect(tagsOf().task).toBeUndefined();
  });

  it('keeps withScope changes inside the callback, also after an await', async () => {
    const inside = await withScope(async (scope) => {
      scope.setTag('inner', 'yes');
      await sleep(1);
      return tagsOf().inner;
    });
    expect(inside).toBe('yes');
    expect(tagsOf().inner).toBeUndefined();
  });

  it('follows timers started inside the callback', async () => {
    const seen = await withIsolationScope(
      (scope) =>
        new Promise<string | undefined>((resolve) => {
          scope.setTag('timer', 'inside');
          setTimeout(() => resolve(tagsOf().timer), 1);
        }),
    );
    expect(seen).toBe('inside');
  });
});
