import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Net from 'node:net';
import type * as Tls from 'node:tls';
import type * as Zlib from 'node:zlib';

// The network and compression modules cost about 15 ms to load (node:https pulls in tls and the
// crypto bindings), and an app that never reports an error never needs them: they are loaded when
// the first request is made. `process.getBuiltinModule` (Node 20.16, 22.3) hands them over at once;
// older versions go through `import()`.

export interface NetworkModules {
  http: typeof Http;
  https: typeof Https;
  net: typeof Net;
  tls: typeof Tls;
}

type BuiltinGetter = (id: string) => unknown;

const getter = (): BuiltinGetter | undefined => (process as { getBuiltinModule?: BuiltinGetter }).getBuiltinModule?.bind(process);

let network: Promise<NetworkModules> | undefined;

/** node:http, node:https, node:net and node:tls, loaded once, on first use. */
export function loadNetworkModules(get: BuiltinGetter | undefined = getter()): Promise<NetworkModules> {
  network ??= (async () => {
    if (get) return { http: get('node:http'), https: get('node:https'), net: get('node:net'), tls: get('node:tls') } as NetworkModules;
    const [http, https, net, tls] = await Promise.all([import('node:http'), import('node:https'), import('node:net'), import('node:tls')]);
    return { http, https, net, tls };
  })();
  return network;
}

let zlib: Promise<typeof Zlib> | undefined;

/** node:zlib, loaded once, on first use (only bodies over the gzip threshold need it). */
export function loadZlib(get: BuiltinGetter | undefined = getter()): Promise<typeof Zlib> {
  zlib ??= get ? Promise.resolve(get('node:zlib') as typeof Zlib) : import('node:zlib');
  return zlib;
}
