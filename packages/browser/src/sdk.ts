import { fullPipeline, getCoreIntegrations, initAndBind, logger, resolveIntegrations, type Client, type ClientOptions, type Integration, type Options, type StackParser, type TransportFactory } from '@faultline/core';
import { breadcrumbsIntegration } from './integrations/breadcrumbs';
import { browserApiErrorsIntegration } from './integrations/browser-api-errors';
import { globalHandlersIntegration } from './integrations/global-handlers';
import { httpContextIntegration } from './integrations/http-context';
import { defaultStackParser } from './stack-parser';
import { makeBrowserTransport } from './transport/browser-transport';

export interface BrowserOptions extends Options {
  stackParser?: StackParser;
}

export const SDK_NAME = 'faultline.javascript.browser';

/** Core's integrations (inbound filters, linked errors, dedupe) and the browser's own. */
export function getDefaultIntegrations(): Integration[] {
  return [
    ...getCoreIntegrations(),
    browserApiErrorsIntegration(),
    breadcrumbsIntegration(),
    globalHandlersIntegration(),
    httpContextIntegration(),
  ];
}

/**
 * Starts Faultline in the page: from here on uncaught errors and unhandled rejections are reported,
 * and the errors API sends to `dsn`. Never throws; returns the client (undefined only if set-up failed).
 */
export function init(options: BrowserOptions = {}): Client | undefined {
  return initWithTransport(options, makeBrowserTransport, fullPipeline);
}

/**
 * `init` with another default transport (the CDN bundle's leaves the IndexedDB store out) and the
 * pipeline pieces to use (the CDN bundle leaves out core's `fullPipeline`, for its size; an SDK built
 * on this one adds its `sdk` metadata).
 */
export function initWithTransport(options: BrowserOptions = {}, transport: TransportFactory, pipeline?: Partial<ClientOptions>): Client | undefined {
  try {
    return initAndBind({
      ...options,
      platform: 'javascript',
      sdk: {
        name: SDK_NAME,
        version: __FAULTLINE_VERSION__,
        packages: [{ name: 'npm:@faultline/browser', version: __FAULTLINE_VERSION__ }],
      },
      // Last but for the three below: an SDK built on this one (React) names itself here.
      ...pipeline,
      stackParser: options.stackParser ?? defaultStackParser,
      transport: options.transport ?? transport,
      integrations: resolveIntegrations(options, getDefaultIntegrations()),
    });
  } catch (error) {
    logger.error('init failed:', error);
    return undefined;
  }
}
