import { formatEventLine, formatSummary } from './format';
import { groupEvents } from './grouping';
import { startReceiver, type Receiver } from './receiver';

export interface InboxOptions {
  /** 8969 unless told; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Print only the listening line (the summary is still returned by `stop`). */
  quiet?: boolean;
  /** Where lines go. */
  out?: { write(text: string): unknown };
}

export interface Inbox {
  receiver: Receiver;
  /** The grouped summary of everything received so far, as text. */
  summary(): string;
  /** Closes the receiver and returns the final summary. */
  stop(): Promise<string>;
}

/** A local inbox: a receiver that prints one line per event and a grouped summary at the end. */
export async function runInbox(options: InboxOptions = {}): Promise<Inbox> {
  const { port = 8969, host = '127.0.0.1', quiet = false, out = process.stdout } = options;
  const receiver = await startReceiver({
    port,
    host,
    onEvent: (event) => {
      if (!quiet) out.write(`${formatEventLine(event)}\n`);
    },
    onViolation: (v) => {
      if (!quiet) out.write(`! ${v.kind} violation${v.eventId ? ` in ${v.eventId}` : ''}: ${v.message}\n`);
    },
  });
  out.write(`Faultline inbox listening: DSN ${receiver.dsn()}\n`);

  const summary = (): string => {
    const violations = receiver.violations().length;
    const note = violations === 0 ? '' : `${violations} protocol violation${violations === 1 ? '' : 's'} (GET ${receiver.url}/violations)\n`;
    return formatSummary(groupEvents(receiver.events())) + note;
  };
  let stopped: Promise<string> | undefined;
  const stop = (): Promise<string> => {
    stopped ??= receiver.close().then(summary);
    return stopped;
  };
  return { receiver, summary, stop };
}
