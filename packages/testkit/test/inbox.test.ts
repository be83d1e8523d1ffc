import { afterEach, describe, expect, it } from 'vitest';
import { runInbox, type Inbox } from '@faultline/testkit';
import { errorEvent, eventEnvelope } from './build-envelope';

let inbox: Inbox | undefined;
afterEach(async () => {
  await inbox?.stop();
  inbox = undefined;
});

function collector(): { write(text: string): void; text(): string } {
  let text = '';
  return { write: (chunk) => void (text += chunk), text: () => text };
}

const send = (url: string, body: Buffer): Promise<Response> =>
  fetch(`${url}/api/1/envelope/?sentry_key=public`, { method: 'POST', body: new Uint8Array(body) });

describe('runInbox', () => {
  it('prints the DSN, one line per event, and returns the grouped summary on stop', async () => {
    const out = collector();
    inbox = await runInbox({ port: 0, out });
    const { receiver } = inbox;
    expect(out.text()).toBe(`Faultline inbox listening: DSN http://public@127.0.0.1:${receiver.port}/1\n`);
    const event = errorEvent();
    await send(receiver.url, eventEnvelope(event));
    await send(receiver.url, eventEnvelope());
    expect(out.text()).toContain(`TypeError: x is not a function  release=app@1.0.0  at handle (app/handler.js)  ${String(event.event_id)}\n`);
    const summary = await inbox.stop();
    expect(summary).toContain('1 issue, 2 events');
    expect(summary).toContain('TypeError: x is not a function');
    expect(await inbox.stop()).toBe(summary);
  });

  it('prints violations as they arrive and mentions them in the summary', async () => {
    const out = collector();
    inbox = await runInbox({ port: 0, out });
    await send(inbox.receiver.url, eventEnvelope(errorEvent({ colour: 'red' })));
    expect(out.text()).toContain('! schema violation in');
    expect(await inbox.stop()).toContain('1 protocol violation');
  });

  it('prints only the listening line when quiet', async () => {
    const out = collector();
    inbox = await runInbox({ port: 0, out, quiet: true });
    await send(inbox.receiver.url, eventEnvelope());
    expect(out.text().trimEnd().split('\n')).toHaveLength(1);
  });
});
