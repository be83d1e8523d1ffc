import { createStackParser, type StackParser } from '@faultline/core';

// Frames that are not the page's own code: browser extensions, the engine itself
// (`[native code]` in JavaScriptCore, `native` in old V8) and V8's `<anonymous>` for eval'd code
// without a source URL.
const NOT_IN_APP = /^(?:[a-z-]+-extension:|\[native code\]$|native$|<anonymous>$)/;

// The CDN bundle's own URL: its frames (the wrapper around a timer callback) are not the app's.
let sdkFilename: string | undefined;

/** Called by the CDN entry with its `<script>` URL. */
export function setSdkFilename(filename: string | undefined): void {
  sdkFilename = filename;
}

export function isInAppFilename(filename: string): boolean {
  return !NOT_IN_APP.test(filename) && !filename.includes('/node_modules/') && filename !== sdkFilename;
}

/**
 * Parses V8 (`    at fn (url:line:col)`), SpiderMonkey (`fn@url:line:col`, `url line N > eval:l:c`)
 * and JavaScriptCore (`fn@url:line:col`, `global code@…`, `map@[native code]`) stacks into frames,
 * outermost first and the throw site last. Lines without a location (JavaScriptCore's eval frames,
 * `[native code]`) are left out by core's parser.
 */
const parse = createStackParser({ isInApp: isInAppFilename });

export const defaultStackParser: StackParser = (stack, skipFirstLines) => {
  const frames = parse(stack, skipFirstLines);
  // JavaScriptCore names top-level code `global code` where V8 and SpiderMonkey give no name: the
  // same code should group the same whichever browser threw.
  for (const frame of frames) if (frame.function === 'global code') frame.function = '?';
  return frames;
};
