import { getClient, logger, type Client, type Integration } from '@faultline/core';
import {
  addOwnListener,
  flushWithin,
  hasAppListener,
  isExiting,
  raiseUncaught,
  removeOwnListener,
  reportFatal,
  reraiseRejection,
  type HostProcess,
} from './fatal-error';

/** Node's `--unhandled-rejections` modes (https://nodejs.org/api/cli.html#--unhandled-rejectionsmode). */
export type UnhandledRejectionsMode = 'throw' | 'strict' | 'warn' | 'warn-with-error-code' | 'none';

export interface OnUnhandledRejectionOptions {
  /**
   * Instead of what Node's own mode does: `none` only reports, `warn` also prints Node's warning and
   * the process goes on, `strict` raises the rejection as an uncaught exception (exit code 1 unless the
   * app listens for uncaughtException).
   */
  mode?: 'warn' | 'strict' | 'none';
}

const DEFAULT_SHUTDOWN_TIMEOUT = 2000;

/** The mode this process runs in: the last flag wins, the command line over NODE_OPTIONS. */
export function unhandledRejectionsMode(proc: Pick<HostProcess, 'execArgv' | 'env'> = process): UnhandledRejectionsMode {
  const args = [...(proc.env.NODE_OPTIONS ?? '').split(/\s+/), ...proc.execArgv];
  let mode: string = 'throw';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--unhandled-rejections=')) mode = arg.slice('--unhandled-rejections='.length);
    else if (arg === '--unhandled-rejections' && args[i + 1] !== undefined) mode = args[++i]!;
  }
  return (['throw', 'strict', 'warn', 'warn-with-error-code', 'none'] as string[]).includes(mode) ? (mode as UnhandledRejectionsMode) : 'throw';
}

/**
 * Reports unhandled promise rejections (unhandled; fatal when the process dies of it). Then the
 * process goes on as Node's `--unhandled-rejections` mode says, unless the app listens for
 * unhandledRejection itself or `mode` says otherwise.
 */
export function onUnhandledRejectionIntegration(options: OnUnhandledRejectionOptions = {}, proc: HostProcess = process): Integration {
  let listener: ((reason: unknown) => void) | undefined;
  let nodeMode: UnhandledRejectionsMode = 'throw';

  function handle(client: Client, reason: unknown): void {
    const mode = options.mode ?? nodeMode;
    const appHandles = hasAppListener(proc, 'unhandledRejection');
    // Node raises it as an uncaught exception in `throw` mode (when nobody else listens) and in
    // `strict` mode; nobody catching that means the process ends.
    const raised = mode === 'strict' || (mode === 'throw' && !appHandles);
    const dies = raised && !hasAppListener(proc, 'uncaughtException');
    if (getClient() === client && !isExiting(proc)) {
      reportFatal(client, reason, 'onunhandledrejection', dies ? 'fatal' : 'error');
    }
    if (options.mode === 'none' || isExiting(proc)) return;
    if (options.mode === 'warn') {
      if (nodeMode !== 'warn') warnLikeNode(proc, reason);
      return;
    }
    // Delivery first when the process is about to end; otherwise nothing waits for us.
    const afterDelivery = (then: () => void): void => {
      const timeout = client.getOptions().shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
      void (dies ? flushWithin(client, timeout) : Promise.resolve()).then(then);
    };
    if (options.mode === 'strict') {
      afterDelivery(() => raiseUncaught(reason));
      return;
    }
    // Node's own mode. Only `throw` and `warn-with-error-code` act differently when someone listens
    // (as we do); `strict`, `warn` and `none` did their part already.
    if (appHandles || (nodeMode !== 'throw' && nodeMode !== 'warn-with-error-code')) return;
    afterDelivery(() => {
      if (!listener) return;
      removeOwnListener(proc, 'unhandledRejection', listener);
      const current = listener;
      reraiseRejection(proc, reason, () => {
        if (listener === current) addOwnListener(proc, 'unhandledRejection', current);
      });
    });
  }

  return {
    name: 'OnUnhandledRejection',
    setup(client) {
      nodeMode = unhandledRejectionsMode(proc);
      listener = (reason) => {
        try {
          handle(client, reason);
        } catch (error) {
          logger.error('Handling an unhandled rejection failed:', error);
        }
      };
      addOwnListener(proc, 'unhandledRejection', listener);
    },
    teardown() {
      if (listener) removeOwnListener(proc, 'unhandledRejection', listener);
      listener = undefined;
    },
  };
}

/** Node's `warn` mode output (lib/internal/process/promises.js, emitUnhandledRejectionWarning). */
function warnLikeNode(proc: HostProcess, reason: unknown): void {
  try {
    const stack = reason instanceof Error ? reason.stack : undefined;
    proc.emitWarning(stack ?? String(reason), 'UnhandledPromiseRejectionWarning');
    proc.emitWarning(
      'Unhandled promise rejection. This error originated either by throwing inside of an async function without a catch block, ' +
        'or by rejecting a promise which was not handled with .catch(). To terminate the node process on unhandled promise rejection, ' +
        'use the CLI flag `--unhandled-rejections=strict` (see https://nodejs.org/api/cli.html#cli_unhandled_rejections_mode).',
      'UnhandledPromiseRejectionWarning',
    );
  } catch {
    // A reason whose toString throws gets no warning.
  }
}
