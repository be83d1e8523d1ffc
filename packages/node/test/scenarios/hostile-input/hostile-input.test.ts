import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const MAX_EVENT_BYTES = 1024 * 1024;
// The values of hostile-values.cjs, and what app.cjs does with each.
const VALUES = 19;
const SETTERS = 5;

describe('hostile input', () => {
  it('given to every entry point of the node SDK throws nothing out, hangs nothing, and makes only valid, bounded events', async () => {
    const run = await runNode(join(__dirname, 'app.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(71) }, killAfterMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { escaped: string[]; flushed: boolean; propagatedUnchanged: boolean; breadcrumbHookCalls: number };
    expect(report.escaped).toEqual([]);
    expect(report).toMatchObject({ flushed: true, propagatedUnchanged: true });

    const events = receiver.events();
    expect(receiver.violations()).toEqual([]);
    for (const envelope of receiver.envelopes()) {
      for (const item of envelope.items) expect(item.header.length ?? 0).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    }
    // Every value captured as an exception, or after being set on the scope, made an exception event;
    // every value given to captureMessage made a message event.
    const exceptions = events.filter((event) => event.exception?.values?.length);
    const messages = events.filter((event) => !event.exception && event.logentry);
    expect(exceptions).toHaveLength(VALUES + VALUES * SETTERS + 1);
    expect(messages).toHaveLength(VALUES);
    // The throwing beforeSend dropped its event, counted; the throwing beforeBreadcrumb did not drop its breadcrumb.
    expect(receiver.discarded()).toEqual({ 'before_send:error': 1 });
    const last = events.at(-1)!;
    expect(last.exception!.values!.at(-1)!.value).toBe('still works afterwards');
    expect(last.breadcrumbs?.values?.at(-1)).toMatchObject({ category: 'throws', message: 'kept as it was' });
    expect(last.user).toBeUndefined();
  }, 60_000);
});
