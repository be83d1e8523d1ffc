import { getClient, logger, type Client, type Integration } from '@faultline/core';
import {
  addOwnListener,
  exitLikeNode,
  flushWithin,
  hasAppListener,
  isExiting,
  markExiting,
  removeOwnListener,
  rejectionSourceLine,
  reportFatal,
  takeReraisedRejection,
  wasReported,
  type HostProcess,
} from './fatal-error';

const DEFAULT_SHUTDOWN_TIMEOUT = 2000;

/** No options yet; the parameter keeps the call shape of the other integrations. */
export type OnUncaughtExceptionOptions = Record<string, never>;

/**
 * Reports uncaught exceptions (level fatal, unhandled). Without a listener of the app's own, it then
 * waits up to `shutdownTimeout` for delivery and lets Node print the error and exit with code 1, as it
 * would have; with one, the app decides and the process goes on.
 */
export function onUncaughtExceptionIntegration(_options: OnUncaughtExceptionOptions = {}, proc: HostProcess = process): Integration {
  let listener: ((error: unknown, origin?: string) => void) | undefined;

  function handle(client: Client, error: unknown, fromRejection: boolean): void {
    const alreadyReported = wasReported(error) || (fromRejection && takeReraisedRejection(proc));
    const appHandles = hasAppListener(proc, 'uncaughtException');
    if (!alreadyReported && !isExiting(proc) && getClient() === client) {
      reportFatal(client, error, fromRejection ? 'onunhandledrejection' : 'onuncaughtexception', 'fatal');
    }
    if (appHandles) return;
    if (isExiting(proc)) {
      logger.warn('Another uncaught exception while shutting down for the first one:', error);
      return;
    }
    markExiting(proc);
    const timeout = client.getOptions().shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    // V8 places a rejection itself as long as nobody read its stack; for one we captured (and so
    // read), the source line is worked out here.
    const sourceLine = fromRejection && wasReported(error) ? rejectionSourceLine(error, client.getOptions().stackParser) : undefined;
    void Promise.all([flushWithin(client, timeout), sourceLine]).then(([, line]) => exitLikeNode(proc, error, fromRejection, line));
  }

  return {
    name: 'OnUncaughtException',
    setup(client) {
      listener = (error, origin) => {
        // Node raises unhandled rejections here in `strict` mode, and in `throw` mode when nothing
        // listens for them (`origin` tells).
        const fromRejection = origin === 'unhandledRejection';
        try {
          handle(client, error, fromRejection);
        } catch (failure) {
          // An exception out of this listener would end the process with code 7: end it as Node would.
          logger.error('Handling an uncaught exception failed:', failure);
          if (!isExiting(proc) && !hasAppListener(proc, 'uncaughtException')) exitLikeNode(proc, error, fromRejection);
        }
      };
      addOwnListener(proc, 'uncaughtException', listener);
    },
    teardown() {
      if (listener) removeOwnListener(proc, 'uncaughtException', listener);
      listener = undefined;
    },
  };
}
