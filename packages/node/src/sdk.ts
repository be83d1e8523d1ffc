import { fullPipeline, getCoreIntegrations, initAndBind, logger, resolveIntegrations, warnOnce, type Client, type Integration, type Options, type StackParser } from '@faultline/core';
import { setNodeAsyncContextStrategy } from './async-context';
import { consoleIntegration } from './integrations/console';
import { contextLinesIntegration } from './integrations/context-lines';
import { flushBeforeExitIntegration } from './integrations/flush-before-exit';
import { httpIntegration } from './integrations/http';
import { nodeContextIntegration } from './integrations/node-context';
import { onUncaughtExceptionIntegration } from './integrations/on-uncaught-exception';
import { onUnhandledRejectionIntegration } from './integrations/on-unhandled-rejection';
import { defaultStackParser } from './stack-parser';
import { makeNodeTransport, type NodeTransportOptions } from './transport';

export interface NodeOptions extends Options {
  /** Parses `Error#stack` into frames (default: V8's format, Node paths). */
  stackParser?: StackParser;
  transportOptions?: Partial<NodeTransportOptions> & Record<string, unknown>;
  /**
   * Folder of the disk spool, where envelopes that could not be sent (server down, failing or too
   * slow for a burst, or the process crashing) are kept and sent on the next start: default a folder
   * per DSN under the OS temp dir; false for none.
   */
  spoolDir?: string | false;
}

export const SDK_NAME = 'faultline.javascript.node';

/** The integrations `init` installs unless told otherwise. */
export function getDefaultIntegrations(): Integration[] {
  return [
    ...getCoreIntegrations(),
    onUncaughtExceptionIntegration(),
    onUnhandledRejectionIntegration(),
    contextLinesIntegration(),
    nodeContextIntegration(),
    consoleIntegration(),
    httpIntegration(),
    flushBeforeExitIntegration(),
  ];
}

/**
 * Starts Faultline: uncaught exceptions and unhandled rejections are reported from here on, and the
 * public API sends to the DSN (`options.dsn`, else FAULTLINE_DSN or SENTRY_DSN). Never throws.
 */
export function init(options: NodeOptions = {}, env: Record<string, string | undefined> = process.env): Client | undefined {
  try {
    setNodeAsyncContextStrategy();
    return initAndBind({
      ...options,
      ...fullPipeline,
      dsn: options.dsn ?? env.FAULTLINE_DSN ?? env.SENTRY_DSN,
      release: options.release ?? env.FAULTLINE_RELEASE ?? env.SENTRY_RELEASE,
      environment: options.environment ?? env.FAULTLINE_ENVIRONMENT ?? env.SENTRY_ENVIRONMENT,
      // Without one, NodeContext names the host on the first event (node:os is not loaded at start-up).
      serverName: options.serverName,
      integrations: resolveIntegrations(options, getDefaultIntegrations()),
      stackParser: options.stackParser ?? defaultStackParser,
      transport: options.transport ?? makeNodeTransport,
      transportOptions: withSpoolDir(options),
      platform: 'node',
      sdk: {
        name: SDK_NAME,
        version: __FAULTLINE_VERSION__,
        packages: [{ name: 'npm:@faultline/node', version: __FAULTLINE_VERSION__ }],
      },
    });
  } catch (error) {
    logger.error('init failed; Faultline is off:', error);
    return undefined;
  }
}

function withSpoolDir(options: NodeOptions): NodeOptions['transportOptions'] {
  const { spoolDir } = options;
  if (spoolDir === undefined) return options.transportOptions;
  if (spoolDir !== false && (typeof spoolDir !== 'string' || !spoolDir)) {
    warnOnce('Option `spoolDir` must be a folder path or false; the default is used instead.');
    return options.transportOptions;
  }
  return { ...options.transportOptions, spoolDir };
}
