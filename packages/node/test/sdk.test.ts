import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { captureException, captureMessage, close, getClient, init } from '@faultline/node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await close(2000);
  receiver.reset();
});
afterAll(() => receiver.close());

describe('init', () => {
  it('sends events to the DSN with the Node SDK info, server name and default integrations', async () => {
    init({ dsn: receiver.dsn(7), release: 'app@1.2.3' });
    captureException(new Error('boom'));
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({
      platform: 'node',
      release: 'app@1.2.3',
      server_name: expect.any(String),
      sdk: {
        name: 'faultline.javascript.node',
        version: '0.0.0-test',
        packages: [{ name: 'npm:@faultline/node', version: '0.0.0-test' }],
      },
    });
    expect(event!.sdk!.integrations).toEqual(
      expect.arrayContaining(['OnUncaughtException', 'OnUnhandledRejection', 'ContextLines', 'NodeContext', 'Console', 'Http', 'Dedupe']),
    );
    expect(receiver.violations()).toEqual([]);
  });

  it('reads the DSN, release and environment from the environment when not given', async () => {
    init({}, { FAULTLINE_DSN: receiver.dsn(8), SENTRY_RELEASE: 'from-env', FAULTLINE_ENVIRONMENT: 'staging' });
    captureMessage('hello', 'warning');
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({ release: 'from-env', environment: 'staging', level: 'warning' });
    expect(receiver.envelopes()[0]!.projectId).toBe('8');
  });

  it('prefers the options over the environment and keeps the user integrations', async () => {
    const client = init(
      { dsn: receiver.dsn(9), release: 'opt', defaultIntegrations: false, integrations: [{ name: 'Mine' }] },
      { FAULTLINE_DSN: 'http://nope@127.0.0.1:1/1', FAULTLINE_RELEASE: 'env' },
    );
    expect(getClient()).toBe(client);
    captureException(new Error('x'));
    const [event] = await receiver.waitForEvents(1);
    expect(event!.release).toBe('opt');
    expect(event!.sdk!.integrations).toEqual(['Mine']);
  });

  it('parses frames of the calling file', async () => {
    init({ dsn: receiver.dsn(10), defaultIntegrations: false });
    captureException(new Error('where'));
    const [event] = await receiver.waitForEvents(1);
    const frames = event!.exception!.values![0]!.stacktrace!.frames!;
    expect(frames.at(-1)).toMatchObject({ filename: __filename, in_app: true, lineno: expect.any(Number) });
  });
});

describe('init with spoolDir', () => {
  it('keeps in that folder what the server did not take, and sends it once the server is back', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'faultline-sdk-'));
    const dir = join(parent, 'spool');
    await receiver.down();
    init({ dsn: receiver.dsn(11), spoolDir: dir, defaultIntegrations: false, transportOptions: { retry: { attempts: 1, baseDelayMs: 50 } } });
    captureException(new Error('while down'));
    await getClient()!.flush(2000);
    expect(readdirSync(dir).filter((name) => name.endsWith('.env'))).toHaveLength(1);
    await receiver.up();
    await receiver.waitForEvents(1);
    expect(receiver.events()[0]!.exception!.values![0]!.value).toBe('while down');
    rmSync(parent, { recursive: true, force: true });
  });

  it('warns once about a value that is not a folder or false, and uses the default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    init({ dsn: receiver.dsn(12), spoolDir: 42 as never, defaultIntegrations: false });
    expect(warn.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringContaining('Option `spoolDir` must be a folder path or false')]);
    warn.mockRestore();
  });
});
