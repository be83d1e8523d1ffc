import { initWithTransport, makeBrowserTransport, type BrowserOptions, type Client } from '@faultline/browser';
import { fullPipeline } from '@faultline/core';

export const SDK_NAME = 'faultline.javascript.react';

/**
 * `init` of `@faultline/browser`, with events naming this SDK (`sdk.name`
 * `faultline.javascript.react`), as `@sentry/react` does, so the server can tell React apps apart.
 */
export function init(options: BrowserOptions = {}): Client | undefined {
  return initWithTransport(options, makeBrowserTransport, {
    ...fullPipeline,
    sdk: {
      name: SDK_NAME,
      version: __FAULTLINE_VERSION__,
      packages: [
        { name: 'npm:@faultline/react', version: __FAULTLINE_VERSION__ },
        { name: 'npm:@faultline/browser', version: __FAULTLINE_VERSION__ },
      ],
    },
  });
}
