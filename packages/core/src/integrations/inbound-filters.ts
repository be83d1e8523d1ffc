import type { Integration } from '../integration';
import { guard } from '../guard';

export interface InboundFiltersOptions {
  ignoreErrors?: Array<string | RegExp>;
  denyUrls?: Array<string | RegExp>;
  allowUrls?: Array<string | RegExp>;
}

type Patterns = Array<string | RegExp>;

// Noise no one can act on: cross-origin scripts report only this text
// (https://developer.mozilla.org/en-US/docs/Web/API/Window/error_event, "Script error").
const SCRIPT_ERROR = /^(Javascript error: )?Script error\.?( on line 0)?$/;

/**
 * Drops events the user asked to ignore: by message (`ignoreErrors`), and by the URL of the script
 * that threw (`denyUrls`, `allowUrls`). Options given here add to the client's.
 */
export function inboundFiltersIntegration(options: InboundFiltersOptions = {}): Integration {
  return {
    name: 'InboundFilters',
    processEvent(event, _hint, client) {
      // Only lists count: options may not have been validated (the CDN bundle), and a string spread
      // into its characters would filter nearly everything.
      const patterns = (key: keyof InboundFiltersOptions): Patterns => [options[key], client.getOptions()[key]].flatMap((list) => (Array.isArray(list) ? list : []));
      const values = event.exception?.values ?? [];
      const last = values[values.length - 1];
      const messages = [event.logentry?.formatted ?? event.logentry?.message, last?.value, last?.type && (last.value ? `${last.type}: ${last.value}` : last.type)];
      if (messages.some((message) => message && matchesAny(message, [SCRIPT_ERROR, ...patterns('ignoreErrors')]))) return null;
      // The file of the innermost frame of the thrown exception.
      const url = (last?.stacktrace?.frames ?? [])
        .map((frame) => frame.filename)
        .reverse()
        .find((filename) => filename && filename !== '<anonymous>' && filename !== '[native code]');
      const allow = patterns('allowUrls');
      return url && (matchesAny(url, patterns('denyUrls')) || (allow.length && !matchesAny(url, allow))) ? null : event;
    },
  };
}

function matchesAny(value: string, patterns: Patterns): boolean {
  return patterns.some((pattern) =>
    typeof pattern === 'string'
      ? value.includes(pattern)
      : guard(() => {
          pattern.lastIndex = 0;
          return pattern.test(value);
        }),
  );
}
