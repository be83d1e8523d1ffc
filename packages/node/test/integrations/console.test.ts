import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { captureMessage, close, consoleIntegration, getIsolationScope, init } from '@faultline/node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await close(2000);
  getIsolationScope().clearBreadcrumbs();
  receiver.reset();
});
afterAll(() => receiver.close());

/** A console of our own: what it printed, and `this` of each call. */
function fakeConsole() {
  const printed: Array<{ method: string; args: unknown[]; self: unknown }> = [];
  const make = (method: string) =>
    function (this: unknown, ...args: unknown[]) {
      printed.push({ method, args, self: this });
      return `returned-${method}`;
    };
  const target = { log: make('log'), info: make('info'), warn: make('warn'), error: make('error'), debug: make('debug'), trace: make('trace') };
  return { target: target as unknown as Console, printed };
}

async function breadcrumbsOfNextEvent() {
  captureMessage('probe');
  const [event] = await receiver.waitForEvents(1);
  return event!.breadcrumbs?.values ?? [];
}

describe('consoleIntegration', () => {
  it('records each call with its level and formatted message, and the call still prints', async () => {
    const { target, printed } = fakeConsole();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [consoleIntegration({}, target)] });
    expect(target.log('hello %s', 'world', { a: 1 })).toBe('returned-log');
    target.warn('careful');
    target.error(new Error('bad'));
    target.debug('dbg');
    target.info('inf');
    target.trace('tr');
    const crumbs = await breadcrumbsOfNextEvent();
    expect(crumbs.map((b) => [b.category, b.level, b.message])).toEqual([
      ['console', 'info', "hello world { a: 1 }"],
      ['console', 'warning', 'careful'],
      ['console', 'error', expect.stringMatching(/^Error: bad\n {4}at /)],
      ['console', 'debug', 'dbg'],
      ['console', 'info', 'inf'],
      ['console', 'debug', 'tr'],
    ]);
    expect(printed.map((p) => [p.method, p.args, p.self])).toEqual([
      ['log', ['hello %s', 'world', { a: 1 }], target],
      ['warn', ['careful'], target],
      ['error', [expect.any(Error)], target],
      ['debug', ['dbg'], target],
      ['info', ['inf'], target],
      ['trace', ['tr'], target],
    ]);
    expect(receiver.violations()).toEqual([]);
  });

  it('wraps once however often it is set up, and close() puts the methods back as they were', async () => {
    const { target } = fakeConsole();
    const original = target.log;
    const descriptor = Object.getOwnPropertyDescriptor(target, 'log');
    const client = init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [consoleIntegration({}, target)] })!;
    const again = consoleIntegration({}, target);
    again.setup!(client);
    expect(target.log).not.toBe(original);
    expect(target.log.name).toBe(original.name);
    target.log('once');
    expect((await breadcrumbsOfNextEvent()).filter((b) => b.message === 'once')).toHaveLength(1);
    again.teardown!();
    await close();
    expect(target.log).toBe(original);
    expect(Object.getOwnPropertyDescriptor(target, 'log')).toEqual(descriptor);
  });

  it('records only the methods asked for', async () => {
    const { target } = fakeConsole();
    init({ dsn: receiver.dsn(), defaultIntegrations: false, integrations: [consoleIntegration({ levels: ['error'] }, target)] });
    target.log('not this');
    target.error('this');
    expect((await breadcrumbsOfNextEvent()).map((b) => b.message)).toEqual(['this']);
  });

  it('does not record the logging of a beforeBreadcrumb, and survives one that throws', async () => {
    const { target, printed } = fakeConsole();
    let calls = 0;
    init({
      dsn: receiver.dsn(),
      defaultIntegrations: false,
      integrations: [consoleIntegration({}, target)],
      beforeBreadcrumb: (crumb) => {
        calls += 1;
        target.log('from beforeBreadcrumb');
        if (crumb.message === 'explode') throw new Error('hook failed');
        return crumb;
      },
    });
    target.log('explode');
    target.log('fine');
    expect(calls).toBe(2);
    expect(printed.map((p) => p.args[0])).toEqual(['from beforeBreadcrumb', 'explode', 'from beforeBreadcrumb', 'fine']);
    expect((await breadcrumbsOfNextEvent()).map((b) => b.message)).toEqual(['explode', 'fine']);
  });
});
