import { addBreadcrumb, getClient, wrapMethod, type Client, type Integration, type SeverityLevel } from '@faultline/core';
import { builtin } from '../builtin-modules';

export type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';

export interface ConsoleIntegrationOptions {
  /** The console methods recorded (default all six). */
  levels?: ConsoleMethod[];
}

const LEVELS: Record<ConsoleMethod, SeverityLevel> = {
  log: 'info',
  info: 'info',
  warn: 'warning',
  error: 'error',
  debug: 'debug',
  trace: 'debug',
};

// A breadcrumb is memory held until the scope forgets it; the event keeps less still (maxValueLength).
const MAX_MESSAGE_LENGTH = 1024;

/** Records each console call as a breadcrumb; the call itself behaves exactly as before. */
export function consoleIntegration(options: ConsoleIntegrationOptions = {}, target: Console = console): Integration {
  const methods = (options.levels ?? (Object.keys(LEVELS) as ConsoleMethod[])).filter((m) => m in LEVELS);
  const undo: Array<() => void> = [];
  // A beforeBreadcrumb that logs would otherwise record itself forever.
  let recording = false;

  function record(client: Client, method: ConsoleMethod, args: unknown[]): void {
    if (recording || getClient() !== client) return;
    recording = true;
    try {
      // node:util on the first call, not at start-up (see builtin-modules).
      const message = builtin('node:util').format(...args);
      addBreadcrumb(
        {
          category: 'console',
          level: LEVELS[method],
          message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
          data: { logger: 'console' },
        },
        { input: args, level: method },
      );
    } catch {
      // Formatting an argument can run the app's own inspect hooks; those may throw.
    } finally {
      recording = false;
    }
  }

  return {
    name: 'Console',
    setup(client) {
      for (const method of methods) {
        undo.push(
          wrapMethod(target, method, (original) =>
            function (this: unknown, ...args: unknown[]) {
              record(client, method, args);
              return original.apply(this, args);
            },
          ),
        );
      }
    },
    teardown() {
      for (const restore of undo.splice(0)) restore();
    },
  };
}
