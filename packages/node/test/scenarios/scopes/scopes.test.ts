import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
let events: SentryEvent[];
let inventory: string;
const script = join(__dirname, 'app.cjs');

beforeAll(async () => {
  receiver = await startReceiver();
  const run = await runNode(script, { env: { FAULTLINE_DSN: receiver.dsn(41) } });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  inventory = JSON.parse(run.stdout.trim().split('\n').at(-1)!).inventory;
  events = receiver.events();
});
afterAll(() => receiver.close());

const byText = (text: string): SentryEvent => {
  const found = events.find((e) => JSON.stringify([e.exception, e.logentry, e.message]).includes(text));
  expect(found, text).toBeDefined();
  return found!;
};

describe('scopes, breadcrumbs and frames in a real app', () => {
  it('delivers every event, each valid', () => {
    expect(events).toHaveLength(4);
    expect(receiver.violations()).toEqual([]);
  });

  it('points the innermost frame at the throw site, with the source around it', () => {
    const lines = readFileSync(script, 'utf8').split('\n');
    const throwLine = lines.findIndex((line) => line.includes('// the throw site')) + 1;
    const frame = byText('card declined').exception!.values![0]!.stacktrace!.frames!.at(-1)!;
    expect(frame).toMatchObject({
      filename: script,
      function: 'chargeCard',
      lineno: throwLine,
      colno: lines[throwLine - 1]!.indexOf('new Error') + 1,
      in_app: true,
      module: 'app',
      context_line: lines[throwLine - 1],
      pre_context: lines.slice(throwLine - 6, throwLine - 1),
      post_context: lines.slice(throwLine, throwLine + 5),
    });
  });

  it('carries the user, the tags and the breadcrumbs of the scopes', () => {
    const event = byText('card declined');
    expect(event.user).toEqual({ id: 'u-1', email: 'ada@example.com' });
    expect(event.tags).toEqual({ tier: 'gold', step: 'payment' });
    expect(event.breadcrumbs!.values).toEqual([
      expect.objectContaining({ category: 'console', level: 'info', message: 'starting checkout' }),
      expect.objectContaining({ category: 'http', type: 'http', data: { method: 'GET', url: inventory, status_code: 200 } }),
    ]);
    expect(inventory).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inventory\/42$/);
  });

  it('keeps withScope changes inside it', () => {
    expect(byText('after the scope').tags).toEqual({ tier: 'gold' });
  });

  it('isolates concurrent work in withIsolationScope', () => {
    for (const [name, other] of [['alice', 'bob'], ['bob', 'alice']] as const) {
      const event = byText(`request of ${name}`);
      expect(event.user).toEqual({ id: name });
      expect(event.tags).toEqual({ tier: 'gold', request: name });
      const messages = event.breadcrumbs!.values!.map((b) => b.message);
      expect(messages).toContain(`start ${name}`);
      expect(messages).not.toContain(`start ${other}`);
    }
  });
});
