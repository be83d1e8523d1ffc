// Values that try to break the SDK (the list of issue 5). Each entry makes a fresh value.
'use strict';

const everyTrap = ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'setPrototypeOf', 'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions', 'apply', 'construct'];

function throwingProxy() {
  const handler = {};
  for (const trap of everyTrap) handler[trap] = () => { throw new Error(`${trap} trap`); };
  return new Proxy(function target() {}, handler);
}

function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function deep(levels) {
  const root = {};
  let node = root;
  for (let i = 0; i < levels; i++) node = node.child = {};
  return root;
}

function wide(keys) {
  const object = {};
  for (let i = 0; i < keys; i++) object[`key${i}`] = i;
  return object;
}

function gettersThrow() {
  const error = new Error('placeholder');
  // `stack` first: redefining it makes V8 format the stack, which reads `name` and `message`.
  for (const key of ['stack', 'name', 'message', 'cause']) {
    Object.defineProperty(error, key, { get() { throw new Error(`${key} getter`); }, enumerable: true });
  }
  return error;
}

function causeChain(length) {
  let error = new Error('root cause');
  for (let i = 1; i < length; i++) error = new Error(`cause ${i}`, { cause: error });
  return error;
}

function nullPrototype() {
  const object = Object.create(null);
  object.message = 'no prototype';
  object.nested = Object.create(null);
  return object;
}

function frozenError() {
  return Object.freeze(new TypeError('frozen'));
}

function mapsAndSets() {
  const key = { id: 1 };
  return { map: new Map([[key, 'object key'], [Symbol('s'), 1]]), set: new Set([key, [1, 2], new Map()]) };
}

const values = [
  ['revoked Proxy', revokedProxy],
  ['Proxy whose every trap throws', throwingProxy],
  ['object 20,000 levels deep', () => deep(20_000)],
  ['object with 200,000 keys', () => wide(200_000)],
  ['12 MB string', () => 'x'.repeat(12 * 1024 * 1024)],
  ['error whose name, message, stack and cause getters throw', gettersThrow],
  ['error with a non-string stack', () => Object.assign(new Error('numeric stack'), { stack: 42 })],
  ['error with an object stack', () => Object.assign(new Error('object stack'), { stack: { lines: ['a'] } })],
  ['null-prototype object', nullPrototype],
  ['frozen error', frozenError],
  ['AggregateError with non-Error members', () => new AggregateError([1, 'two', null, { three: 3 }, new Error('four')], 'many')],
  ['cause chain 5,000 long', () => causeChain(5_000)],
  ['BigInt', () => 10n ** 30n],
  ['Symbol', () => Symbol('sym')],
  ['function', () => function named() {}],
  ['invalid Date', () => new Date(NaN)],
  ['NaN', () => NaN],
  ['3 MB typed array', () => new Uint8Array(3 * 1024 * 1024)],
  ['Maps and Sets with object keys', mapsAndSets],
];

module.exports = { values };
