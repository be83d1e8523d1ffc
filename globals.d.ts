// Build-time constants, replaced by rollup (rollup.config.mjs) and vitest (vitest.config.ts).
declare const __FAULTLINE_VERSION__: string;
/** false in the minified CDN bundle, so debug logging is dropped from it. */
declare const __DEBUG_BUILD__: boolean;
