import type * as Fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type * as Os from 'node:os';
import type * as Tls from 'node:tls';
import type * as Util from 'node:util';
import type * as Zlib from 'node:zlib';

// Node's own modules are fetched when first used, not imported, for two reasons. The network and
// compression modules cost about 15 ms to load (node:tls pulls in the crypto bindings),
// and an app that never reports an error never needs them. And an ES module's `import … from
// 'node:fs'` (or node:util) goes through Node's ES module facade, which reads every export at once,
// loading fs/promises, the stream modules and readline (about 3 ms, profiled); the CommonJS object
// that `process.getBuiltinModule` (Node 20.16, 22.3) or `require` return does not. Both are
// synchronous, so the spool can still write as the process exits.

interface Builtins {
  'node:fs': typeof Fs;
  'node:net': typeof Net;
  'node:os': typeof Os;
  'node:tls': typeof Tls;
  'node:util': typeof Util;
  'node:zlib': typeof Zlib;
}

export type BuiltinGetter = (id: string) => unknown;

let fallback: BuiltinGetter | undefined;

function defaultGetter(): BuiltinGetter {
  const get = (process as { getBuiltinModule?: BuiltinGetter }).getBuiltinModule;
  return get ? (id) => get.call(process, id) : (fallback ??= createRequire(import.meta.url));
}

/** One of Node's own modules, loaded (by Node, once) the first time it is asked for. */
export function builtin<K extends keyof Builtins>(id: K, get: BuiltinGetter = defaultGetter()): Builtins[K] {
  return get(id) as Builtins[K];
}
