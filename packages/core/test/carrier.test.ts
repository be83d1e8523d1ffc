import { describe, expect, it } from 'vitest';
import { getCurrentScope, getIsolationScope, setAsyncContextStrategy, withIsolationScope, withScope, type ScopePair } from '@faultline/core';

describe('withScope', () => {
  it('forks the current scope for the callback and restores it afterwards', () => {
    const outer = getCurrentScope();
    outer.setTag('outer', 'yes');
    const seen = withScope((scope) => {
      expect(getCurrentScope()).toBe(scope);
      scope.setTag('inner', 'yes');
      return scope.getData().tags;
    });
    expect(seen).toEqual({ outer: 'yes', inner: 'yes' });
    expect(getCurrentScope()).toBe(outer);
    expect(outer.getData().tags).toEqual({ outer: 'yes' });
    outer.clear();
  });

  it('lets the error thrown by the callback propagate unchanged and still restores the scope', () => {
    const outer = getCurrentScope();
    const thrown = { custom: 'value' };
    let caught: unknown;
    try {
      withScope(() => {
        throw thrown;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    expect(getCurrentScope()).toBe(outer);
  });
});

describe('withIsolationScope', () => {
  it('forks both scopes; setUser inside does not leak out', () => {
    const isolation = getIsolationScope();
    withIsolationScope((forked) => {
      expect(getIsolationScope()).toBe(forked);
      expect(forked).not.toBe(isolation);
      forked.setUser({ id: 'inside' });
    });
    expect(getIsolationScope()).toBe(isolation);
    expect(isolation.getUser()).toBeUndefined();
  });

  it('runs through a custom async context strategy when one is set', () => {
    const runs: ScopePair[] = [];
    let active: ScopePair | undefined;
    setAsyncContextStrategy({
      getScopes: () => active,
      runWithScopes(scopes, callback) {
        runs.push(scopes);
        const previous = active;
        active = scopes;
        try {
          return callback();
        } finally {
          active = previous;
        }
      },
    });
    try {
      withIsolationScope((scope) => scope.setTag('t', '1'));
      expect(runs).toHaveLength(1);
      expect(runs[0]!.isolationScope.getData().tags).toEqual({ t: '1' });
    } finally {
      setAsyncContextStrategy(undefined);
    }
  });
});
