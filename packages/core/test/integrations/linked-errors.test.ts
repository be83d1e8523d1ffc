import { afterEach, describe, expect, it } from 'vitest';
import { captureException, getCurrentScope } from '@faultline/core';
import type { Client } from '../../src/client';
import { eventFromUnknown } from '../../src/exception';
import { linkedErrorsIntegration, type LinkedErrorsOptions } from '../../src/integrations/linked-errors';
import { fullPipeline } from '../../src/full-pipeline';
import { createStackParser } from '../../src/stack-parser';
import type { Event, Exception } from '../../src/types';
import { schemaErrors } from '../helpers/schema';
import { initTestClient } from '../helpers/test-client';

const stackParser = createStackParser();
// The npm packages' pipeline: Sentry's wording for thrown plain objects.
const client = { getOptions: () => ({ ...fullPipeline, stackParser }) } as unknown as Client;

/** What the pipeline does: build the event for the thrown value, then run the integration on it. */
function capture(value: unknown, options?: LinkedErrorsOptions): Exception[] {
  const event = eventFromUnknown(value, { mechanism: { type: 'onerror', handled: false } }, { ...fullPipeline, stackParser });
  const processed = linkedErrorsIntegration(options).processEvent!(event, { originalException: value }, client) as Event;
  expect(schemaErrors(processed)).toEqual([]);
  return processed.exception!.values;
}

function summary(values: Exception[]): Array<[string | undefined, string | undefined]> {
  return values.map((value) => [value.type, value.value]);
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

// Node 20 has no SuppressedError yet (explicit resource management); this one has its shape.
class SuppressedError extends Error {
  override name = 'SuppressedError';
  constructor(
    public error: unknown,
    public suppressed: unknown,
    message: string,
  ) {
    super(message);
  }
}

function chain(length: number): Error {
  let error = new Error('error 0');
  for (let i = 1; i < length; i++) error = new Error(`error ${i}`, { cause: error });
  return error;
}

afterEach(async () => {
  await getCurrentScope().getClient()?.close(0);
});

describe('linkedErrorsIntegration', () => {
  it('adds the cause chain, root cause first and the thrown error last', () => {
    const root = new TypeError('socket closed');
    const middle = new Error('query failed', { cause: root });
    const thrown = new Error('could not load user', { cause: middle });
    const values = capture(thrown);
    expect(summary(values)).toEqual([
      ['TypeError', 'socket closed'],
      ['Error', 'query failed'],
      ['Error', 'could not load user'],
    ]);
    expect(values[2]!.mechanism).toEqual({ type: 'onerror', handled: false, exception_id: 0 });
    expect(values[1]!.mechanism).toEqual({ type: 'chained', handled: true, source: 'cause', exception_id: 1, parent_id: 0 });
    expect(values[0]!.mechanism).toEqual({ type: 'chained', handled: true, source: 'cause', exception_id: 2, parent_id: 1 });
    expect(values[0]!.stacktrace!.frames.length).toBeGreaterThan(0);
  });

  it('stops at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(summary(capture(a))).toEqual([
      ['Error', 'b'],
      ['Error', 'a'],
    ]);
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(summary(capture(self))).toEqual([['Error', 'self']]);
  });

  it('turns AggregateError members into a group, non-Error members included', () => {
    const group = new AggregateError([new RangeError('first'), 'second as string', { code: 'E3' }, null], 'all failed');
    const values = capture(group);
    expect(summary(values)).toEqual([
      ['Error', 'null'],
      ['Error', 'Object captured as exception with keys: code'],
      ['Error', 'second as string'],
      ['RangeError', 'first'],
      ['AggregateError', 'all failed'],
    ]);
    expect(values[4]!.mechanism).toMatchObject({ type: 'onerror', is_exception_group: true, exception_id: 0 });
    expect(values.slice(0, 4).map((value) => value.mechanism)).toEqual([
      { type: 'chained', handled: true, source: 'errors[3]', exception_id: 4, parent_id: 0 },
      { type: 'chained', handled: true, source: 'errors[2]', exception_id: 3, parent_id: 0 },
      { type: 'chained', handled: true, source: 'errors[1]', exception_id: 2, parent_id: 0 },
      { type: 'chained', handled: true, source: 'errors[0]', exception_id: 1, parent_id: 0 },
    ]);
  });

  it('walks a cause inside a group member before the next member', () => {
    const group = new AggregateError([new Error('member', { cause: new Error('member cause') }), new Error('second')], 'group');
    const values = capture(group);
    expect(values.map((value) => [value.value, value.mechanism!.source, value.mechanism!.exception_id, value.mechanism!.parent_id])).toEqual([
      ['second', 'errors[1]', 3, 0],
      ['member cause', 'cause', 2, 1],
      ['member', 'errors[0]', 1, 0],
      ['group', undefined, 0, undefined],
    ]);
  });

  it('adds both errors of a SuppressedError', () => {
    const suppressed = new SuppressedError(new Error('dispose failed'), new Error('body failed'), 'An error was suppressed during disposal');
    const values = capture(suppressed);
    expect(values.map((value) => [value.value, value.mechanism!.source])).toEqual([
      ['body failed', 'suppressed'],
      ['dispose failed', 'error'],
      ['An error was suppressed during disposal', undefined],
    ]);
  });

  it('adds at most `limit` linked exceptions besides the thrown one', () => {
    expect(capture(chain(10), { limit: 3 })).toHaveLength(4);
    expect(capture(chain(10))).toHaveLength(6);
    expect(capture(chain(10), { limit: 0 })).toHaveLength(1);
    const wide = new AggregateError(Array.from({ length: 10_000 }, (_, i) => new Error(`e${i}`)), 'wide');
    expect(capture(wide, { limit: 2 }).map((value) => value.value)).toEqual(['e1', 'e0', 'wide']);
  });

  it('walks only the first links of a 5,000-long cause chain', () => {
    const values = capture(chain(5_000));
    expect(values.map((value) => value.value)).toEqual(['error 4994', 'error 4995', 'error 4996', 'error 4997', 'error 4998', 'error 4999']);
  });

  it('follows a custom key', () => {
    const inner = new Error('inner');
    const outer = Object.assign(new Error('outer'), { originalError: inner, cause: new Error('ignored') });
    expect(summary(capture(outer, { key: 'originalError' }))).toEqual([
      ['Error', 'inner'],
      ['Error', 'outer'],
    ]);
  });

  it('never throws on hostile causes and members', () => {
    const throwingCause = Object.defineProperty(new Error('getter'), 'cause', {
      get() {
        throw new Error('cause getter');
      },
    });
    expect(summary(capture(throwingCause))).toEqual([['Error', 'getter']]);

    const revokedCause = new Error('revoked cause', { cause: revokedProxy() });
    const values = capture(revokedCause);
    expect(values).toHaveLength(2);
    expect(values[0]!.type).toBe('Error');

    const revokedErrors = Object.assign(new Error('revoked errors'), { errors: revokedProxy() });
    expect(capture(revokedErrors)).toHaveLength(1);

    const trappedErrors = Object.assign(new Error('trapped errors'), {
      errors: new Proxy([new Error('x')], {
        get(target, key) {
          if (key === 'length') return 1;
          throw new Error('get trap');
        },
      }),
    });
    expect(summary(capture(trappedErrors))).toEqual([
      ['Error', 'undefined'],
      ['Error', 'trapped errors'],
    ]);
  });

  it('leaves events alone when the thrown value is not an error', () => {
    for (const value of ['text', { cause: new Error('x') }, null]) {
      expect(capture(value)).toHaveLength(1);
    }
    const integration = linkedErrorsIntegration();
    const message: Event = { logentry: { message: 'hi' } };
    expect(integration.processEvent!(message, { originalException: new Error('x', { cause: new Error('y') }) }, client)).toEqual(message);
  });

  it('sends the chain on the wire through the client', async () => {
    const sent = initTestClient({ stackParser, integrations: [linkedErrorsIntegration()] });
    captureException(new Error('outer', { cause: new TypeError('inner') }));
    expect(await sent.client.flush(2000)).toBe(true);
    const [event] = sent.events();
    expect(summary(event!.exception!.values)).toEqual([
      ['TypeError', 'inner'],
      ['Error', 'outer'],
    ]);
    expect(schemaErrors(event)).toEqual([]);
  });
});
