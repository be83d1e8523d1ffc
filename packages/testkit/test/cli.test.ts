import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../src/cli';
import { eventEnvelope } from './build-envelope';

function fakeIo() {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  const signals = new EventEmitter();
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const io: CliIo = {
    stdin,
    stdout: { write: (text: string) => void (stdout += text) },
    stderr: { write: (text: string) => void (stderr += text) },
    signals,
    exit: (code) => exited(code),
  };
  return { io, stdin, signals, exit, stdout: () => stdout, stderr: () => stderr };
}

function dsnIn(output: string): URL {
  const match = /DSN (\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no DSN in ${output}`);
  return new URL(match[1]);
}

async function sendEvent(dsn: URL): Promise<void> {
  const res = await fetch(`http://${dsn.host}/api/1/envelope/?sentry_key=${dsn.username}`, { method: 'POST', body: new Uint8Array(eventEnvelope()) });
  expect(res.status).toBe(200);
}

describe('faultline-inbox', () => {
  it('prints events as they arrive and the summary on SIGINT, then exits 0', async () => {
    const cli = fakeIo();
    await main(['--port', '0'], cli.io);
    await sendEvent(dsnIn(cli.stdout()));
    expect(cli.stdout()).toContain('TypeError: x is not a function');
    cli.signals.emit('SIGINT');
    expect(await cli.exit).toBe(0);
    expect(cli.stdout()).toContain('1 issue, 1 event');
  });

  it('with --until-stdin-closes, prints the summary and exits when stdin ends', async () => {
    const cli = fakeIo();
    await main(['--port', '0', '--quiet', '--until-stdin-closes'], cli.io);
    await sendEvent(dsnIn(cli.stdout()));
    cli.stdin.end();
    expect(await cli.exit).toBe(0);
    expect(cli.stdout()).not.toContain('release=');
    expect(cli.stdout()).toContain('1 issue, 1 event');
  });

  it('prints the summary and keeps running on a --summary-on signal', async () => {
    const cli = fakeIo();
    await main(['--port', '0', '--summary-on', 'SIGUSR2'], cli.io);
    const dsn = dsnIn(cli.stdout());
    cli.signals.emit('SIGUSR2');
    expect(cli.stdout()).toContain('No events received.');
    await sendEvent(dsn);
    cli.signals.emit('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('exits 2 with the usage on a bad argument', async () => {
    const cli = fakeIo();
    await main(['--port', 'eighty'], cli.io);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toContain('Usage: faultline-inbox');
    const other = fakeIo();
    await main(['--colour'], other.io);
    expect(await other.exit).toBe(2);
  });

  it('exits 1 when the port is taken', async () => {
    const first = fakeIo();
    await main(['--port', '0'], first.io);
    const taken = dsnIn(first.stdout()).port;
    const second = fakeIo();
    await main(['--port', taken], second.io);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toContain('EADDRINUSE');
    first.signals.emit('SIGTERM');
    await first.exit;
  });
});
