import { wrapMethod, type SeverityLevel } from '@faultline/core';
import { safeString, type RecordBreadcrumb } from './record';

// `log` is not a protocol level: it is recorded as `info` (https://develop.sentry.dev/sdk/data-model/event-payloads/breadcrumbs/).
const LEVELS: Record<string, SeverityLevel> = { debug: 'debug', info: 'info', log: 'info', warn: 'warning', error: 'error', assert: 'error' };

/** Records every console call as a breadcrumb; what the console prints is unchanged. */
export function instrumentConsole(record: RecordBreadcrumb, target: Console | undefined = globalThis.console): () => void {
  if (!target) return () => undefined;
  const undo = Object.keys(LEVELS).map((method) =>
    wrapMethod(target as unknown as Record<string, (...args: unknown[]) => unknown>, method, (original) =>
      function (this: unknown, ...args: unknown[]) {
        try {
          // console.assert prints (and so is recorded) only when its first argument is falsy.
          if (method !== 'assert' || !args[0]) {
            const parts = method === 'assert' ? ['Assertion failed:', ...args.slice(1)] : args;
            record({ category: 'console', level: LEVELS[method], message: parts.map(safeString).join(' '), data: { logger: 'console' } });
          }
        } catch {
          // Recording must never stop the console from printing.
        }
        return original.apply(this, args);
      },
    ),
  );
  return () => undo.forEach((done) => done());
}
