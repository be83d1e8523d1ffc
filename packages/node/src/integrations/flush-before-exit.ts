import { logger, type Integration } from '@faultline/core';

/** The part of `process` used; tests hand in an EventEmitter. */
interface ExitingProcess {
  on(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
}

const DEFAULT_SHUTDOWN_TIMEOUT = 2000;

/**
 * A script that captures and then simply ends must still deliver: when the event loop runs empty,
 * Node emits `beforeExit`, and flushing then sends what is left (events still being processed, the
 * client report). The flush keeps the loop busy, so `beforeExit` comes again afterwards: only new
 * events since the last flush start another, or the process would never end.
 */
export function flushBeforeExitIntegration(_options: Record<string, never> = {}, proc: ExitingProcess = process): Integration {
  let listener: (() => void) | undefined;
  let eventsSinceFlush = true;
  let flushing = false;
  return {
    name: 'FlushBeforeExit',
    setup(client) {
      listener = () => {
        if (flushing || !eventsSinceFlush) return;
        eventsSinceFlush = false;
        flushing = true;
        Promise.resolve()
          .then(() => client.flush(client.getOptions().shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT))
          .catch((error: unknown) => logger.error('Flushing before exit failed:', error))
          .finally(() => {
            flushing = false;
          });
      };
      proc.on('beforeExit', listener);
    },
    processEvent(event) {
      eventsSinceFlush = true;
      return event;
    },
    teardown() {
      if (listener) proc.off('beforeExit', listener);
      listener = undefined;
    },
  };
}
