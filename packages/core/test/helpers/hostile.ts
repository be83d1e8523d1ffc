// Values that try to break the SDK: shared by the normalize and event-limits tests.

export const anythingOptions = {
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withObjectString: true,
  maxDepth: 4,
};

export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

export const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('get trap');
    },
    ownKeys() {
      throw new Error('ownKeys trap');
    },
    getPrototypeOf() {
      throw new Error('getPrototypeOf trap');
    },
    has() {
      throw new Error('has trap');
    },
  },
);

export function deepObject(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node.child = child;
    node = child;
  }
  return root;
}

export function wideObject(keys: number): Record<string, number> {
  const obj: Record<string, number> = {};
  for (let i = 0; i < keys; i++) obj[`key${i}`] = i;
  return obj;
}
