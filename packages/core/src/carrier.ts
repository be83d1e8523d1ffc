import { Scope } from './scope';

export interface ScopePair {
  scope: Scope;
  isolationScope: Scope;
}

/**
 * Where the current and isolation scopes live. Core's default keeps one pair and swaps it for the
 * duration of a synchronous callback; Node supplies one on AsyncLocalStorage so each request keeps its
 * own pair across `await`.
 */
export interface AsyncContextStrategy {
  getScopes(): ScopePair | undefined;
  runWithScopes<T>(scopes: ScopePair, callback: () => T): T;
}

interface Carrier {
  globalScope: Scope;
  defaults: ScopePair;
  strategy?: AsyncContextStrategy;
  stackTop?: ScopePair;
}

// One carrier per SDK version on globalThis, so the ESM and CJS copies of one version that a
// dual-format app may load share scopes and client.
const KEY = `__FAULTLINE_${__FAULTLINE_VERSION__}__`;

function carrier(): Carrier {
  return ((globalThis as unknown as Record<string, Carrier>)[KEY] ??= {
    globalScope: new Scope(),
    defaults: { scope: new Scope(), isolationScope: new Scope() },
  });
}

const stackStrategy: AsyncContextStrategy = {
  getScopes: () => carrier().stackTop,
  runWithScopes(scopes, callback) {
    const c = carrier();
    const previous = c.stackTop;
    c.stackTop = scopes;
    try {
      return callback();
    } finally {
      c.stackTop = previous;
    }
  },
};

export function setAsyncContextStrategy(strategy: AsyncContextStrategy | undefined): void {
  carrier().strategy = strategy;
}

function strategy(): AsyncContextStrategy {
  return carrier().strategy ?? stackStrategy;
}

export function getScopes(): ScopePair {
  return strategy().getScopes() ?? carrier().defaults;
}

export function getGlobalScope(): Scope {
  return carrier().globalScope;
}

export function getCurrentScope(): Scope {
  return getScopes().scope;
}

export function getIsolationScope(): Scope {
  return getScopes().isolationScope;
}

/** Runs `callback` with a fork of the current scope; changes to it stay inside. */
export function withScope<T>(callback: (scope: Scope) => T): T {
  const { scope, isolationScope } = getScopes();
  const forked = scope.clone();
  return strategy().runWithScopes({ scope: forked, isolationScope }, () => callback(forked));
}

/** Runs `callback` with forks of both the isolation and current scopes (one per request). */
export function withIsolationScope<T>(callback: (isolationScope: Scope) => T): T {
  const { scope, isolationScope } = getScopes();
  const forked = isolationScope.clone();
  return strategy().runWithScopes({ scope: scope.clone(), isolationScope: forked }, () => callback(forked));
}
