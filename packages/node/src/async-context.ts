import { AsyncLocalStorage } from 'node:async_hooks';
import { setAsyncContextStrategy, type AsyncContextStrategy, type ScopePair } from '@faultline/core';

/**
 * Scopes that follow async work: a pair set by `withScope`/`withIsolationScope` stays current across
 * `await`, timers and I/O callbacks started inside the callback, so concurrent requests never see each
 * other's user, tags or breadcrumbs.
 */
export function createAsyncLocalStorageStrategy(storage = new AsyncLocalStorage<ScopePair>()): AsyncContextStrategy {
  return {
    getScopes: () => storage.getStore(),
    runWithScopes: (scopes, callback) => storage.run(scopes, callback),
  };
}

export function setNodeAsyncContextStrategy(): void {
  setAsyncContextStrategy(createAsyncLocalStorageStrategy());
}
