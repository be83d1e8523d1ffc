import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const valuesOf = (event: SentryEvent): string[] => (event.exception?.values ?? []).map((v) => `${v.type}: ${v.value}`);

describe('a script that captures handled errors and ends by itself', () => {
  it('delivers every one of them, each a valid event', async () => {
    const run = await runNode(join(__dirname, 'app.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(11) } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const events = receiver.events();
    expect(events).toHaveLength(7);
    expect(receiver.violations()).toEqual([]);
    expect(events.every((e) => e.release === 'handled@1.0.0' && e.platform === 'node')).toBe(true);

    const find = (text: string): SentryEvent => {
      const found = events.find((e) => valuesOf(e).join('\n').includes(text));
      expect(found, text).toBeDefined();
      return found!;
    };
    expect(valuesOf(find('config unreadable'))).toEqual(expect.arrayContaining(['Error: config unreadable', expect.stringMatching(/^SyntaxError: /)]));
    expect(valuesOf(find('a thrown string')).join()).toContain('a thrown string');
    expect(find('circular').exception!.values).toHaveLength(1);
    const cycle = valuesOf(find('first of a cycle'));
    expect(cycle).toEqual(expect.arrayContaining(['Error: first of a cycle', 'Error: second of a cycle']));
    expect(cycle.length).toBeLessThanOrEqual(3);
    expect(find('null').exception!.values).toHaveLength(1);
    const warning = events.find((e) => e.level === 'warning')!;
    expect(warning.logentry).toEqual({ message: 'disk almost full' });
    // The error whose message getter throws is the one left; it still makes a valid event.
    const errors = events.filter((e) => e !== warning);
    expect(errors.every((e) => e.exception!.values!.every((v) => v.mechanism?.handled === true && v.type))).toBe(true);
  });
});
