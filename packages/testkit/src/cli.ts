import { parseArgs } from 'node:util';
import { runInbox } from './inbox';

const USAGE = `Usage: faultline-inbox [--port 8969] [--host 127.0.0.1] [--quiet] [--summary-on SIGNAL] [--until-stdin-closes]

Receives Sentry-protocol envelopes, prints one line per event, and on SIGINT or SIGTERM (or when
stdin closes, with --until-stdin-closes) prints the events grouped into issues and exits.
  --summary-on SIGNAL   also print the summary, and keep running, on SIGNAL (e.g. SIGUSR2)
`;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  signals: { on(signal: NodeJS.Signals, listener: () => void): unknown };
  exit(code: number): void;
}

/** The `faultline-inbox` command. */
export async function main(
  argv: string[] = process.argv.slice(2),
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: process, exit: (code) => process.exit(code) },
): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8969' },
        host: { type: 'string', default: '127.0.0.1' },
        quiet: { type: 'boolean', default: false },
        'summary-on': { type: 'string', multiple: true, default: [] },
        'until-stdin-closes': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return io.exit(2);
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return io.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`--port must be 0-65535, got ${values.port}\n${USAGE}`);
    return io.exit(2);
  }

  let inbox;
  try {
    inbox = await runInbox({ port, host: values.host, quiet: values.quiet, out: io.stdout });
  } catch (error) {
    io.stderr.write(`faultline-inbox: cannot listen on ${values.host}:${port}: ${(error as Error).message}\n`);
    return io.exit(1);
  }
  const { summary, stop } = inbox;
  const finish = (): void => {
    void stop().then((text) => {
      io.stdout.write(`\n${text}`);
      io.exit(0);
    });
  };
  io.signals.on('SIGINT', finish);
  io.signals.on('SIGTERM', finish);
  for (const signal of values['summary-on']) {
    if (signal === 'SIGINT' || signal === 'SIGTERM') continue;
    io.signals.on(signal as NodeJS.Signals, () => io.stdout.write(`\n${summary()}`));
  }
  if (values['until-stdin-closes']) {
    io.stdin.on('end', finish);
    io.stdin.resume();
  }
}
