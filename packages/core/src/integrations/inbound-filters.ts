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
      const patterns = (key: keyof InboundFiltersOptions): Patterns => list(options[key]).concat(list(client.getOptions()[key]));
      const values = event.exception?.values ?? [];
      const last = values[values.length - 1];
      const ignore = [SCRIPT_ERROR, ...patterns('ignoreErrors')];
      for (const message of [event.logentry?.formatted ?? event.logentry?.message, last?.value, last?.type && (last.value ? `${last.type}: ${last.value}` : last.type)]) {
        if (message && matchesAny(message, ignore)) return null;
      }
      const deny = patterns('denyUrls');
      const allow = patterns('allowUrls');
      if (!deny.length && !allow.length) return event;
      // The file of the innermost frame of the thrown exception.
      const url = (last?.stacktrace?.frames ?? [])
        .map((frame) => frame.filename)
        .reverse()
        .find((filename) => filename && filename !== '<anonymous>' && filename !== '[native code]');
      return url && (matchesAny(url, deny) || (allow.length && !matchesAny(url, allow))) ? null : event;
    },
  };
}

const list = (value: Patterns | undefined): Patterns => (Array.isArray(value) ? value : []);

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
