import { describe, expect, it } from 'vitest';
import { isWrapped, unwrap, wrapMethod } from '@faultline/core';

function target() {
  return {
    factor: 2,
    multiply(this: { factor: number }, a: number) {
      return a * this.factor;
    },
  };
}

describe('wrapMethod', () => {
  it('keeps this, arguments and return value, and undo restores the original', () => {
    const obj = target();
    const original = obj.multiply;
    const calls: number[] = [];
    const undo = wrapMethod(obj, 'multiply', (orig) => function (this: { factor: number }, a: number) {
      calls.push(a);
      return orig.call(this, a);
    });
    expect(obj.multiply(21)).toBe(42);
    expect(calls).toEqual([21]);
    expect(isWrapped(obj.multiply)).toBe(true);
    expect(unwrap(obj.multiply)).toBe(original);
    expect(obj.multiply.name).toBe('multiply');
    undo();
    expect(obj.multiply).toBe(original);
  });

  it('is idempotent: wrapping twice wraps once', () => {
    const obj = target();
    let count = 0;
    const make = (orig: (a: number) => number) => (a: number) => {
      count++;
      return orig.call(obj, a);
    };
    wrapMethod(obj, 'multiply', make);
    wrapMethod(obj, 'multiply', make);
    obj.multiply(1);
    expect(count).toBe(1);
  });

  it('keeps a wrapper another library put on top working after undo', () => {
    const obj = target();
    const log: string[] = [];
    const undo = wrapMethod(obj, 'multiply', (orig) => function (this: { factor: number }, a: number) {
      log.push('ours');
      return orig.call(this, a);
    });
    const ours = obj.multiply;
    obj.multiply = function (this: { factor: number }, a: number) {
      log.push('theirs');
      return ours.call(this, a);
    };
    undo();
    expect(obj.multiply(3)).toBe(6);
    expect(log).toEqual(['theirs']);
  });

  it('keeps the property non-enumerable when it was', () => {
    const obj = {} as { hidden: () => number };
    Object.defineProperty(obj, 'hidden', { value: () => 1, enumerable: false, writable: true, configurable: true });
    wrapMethod(obj, 'hidden', (orig) => () => orig() + 1);
    expect(Object.keys(obj)).toEqual([]);
    expect(obj.hidden()).toBe(2);
  });

  it('does nothing for a missing method or a getter that throws', () => {
    const obj = Object.defineProperty({}, 'boom', { get() { throw new Error('no'); } }) as { boom: () => void; nope?: () => void };
    expect(() => wrapMethod(obj, 'boom', (o) => o)).not.toThrow();
    expect(() => wrapMethod(obj, 'nope' as 'boom', (o) => o)).not.toThrow();
  });
});
