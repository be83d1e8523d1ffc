import type { Integration } from '../integration';
import type { Event } from '../types';

export interface InboundFiltersOptions {
  ignoreErrors?: Array<string | RegExp>;
  denyUrls?: Array<string | RegExp>;
  allowUrls?: Array<string | RegExp>;
}

// Noise no one can act on: cross-origin scripts report only this text
// (https://developer.mozilla.org/en-US/docs/Web/API/Window/error_event, "Script error").
const DEFAULT_IGNORE: Array<string | RegExp> = [/^Script error\.?$/, /^Javascript error: Script error\.? on line 0$/];

/**
 * Drops events the user asked to ignore: by message (`ignoreErrors`), and by the URL of the script
 * that threw (`denyUrls`, `allowUrls`). Options given here add to the client's.
 */
export function inboundFiltersIntegration(options: InboundFiltersOptions = {}): Integration {
  return {
    name: 'InboundFilters',
    processEvent(event, _hint, client) {
      const clientOptions = client.getOptions();
      const ignore = [...DEFAULT_IGNORE, ...(options.ignoreErrors ?? []), ...(clientOptions.ignoreErrors ?? [])];
      const deny = [...(options.denyUrls ?? []), ...(clientOptions.denyUrls ?? [])];
      const allow = [...(options.allowUrls ?? []), ...(clientOptions.allowUrls ?? [])];
      if (messagesOf(event).some((message) => matchesAny(message, ignore))) return null;
      const url = throwingUrl(event);
      if (url && deny.length && matchesAny(url, deny)) return null;
      if (url && allow.length && !matchesAny(url, allow)) return null;
      return event;
    },
  };
}

function messagesOf(event: Event): string[] {
  const messages: string[] = [];
  const message = event.logentry?.formatted ?? event.logentry?.message;
  if (message) messages.push(message);
  const last = event.exception?.values[event.exception.values.length - 1];
  if (last) {
    if (last.value) messages.push(last.value);
    if (last.type) messages.push(last.value ? `${last.type}: ${last.value}` : last.type);
  }
  return messages;
}

/** The file of the innermost frame of the thrown exception. */
function throwingUrl(event: Event): string | undefined {
  const values = event.exception?.values;
  const frames = values?.[values.length - 1]?.stacktrace?.frames;
  if (!frames) return undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    if (frame?.filename && frame.filename !== '<anonymous>' && frame.filename !== '[native code]') return frame.filename;
  }
  return undefined;
}

function matchesAny(value: string, patterns: Array<string | RegExp>): boolean {
  return patterns.some((pattern) => (typeof pattern === 'string' ? value.includes(pattern) : safeTest(pattern, value)));
}

function safeTest(pattern: RegExp, value: string): boolean {
  try {
    pattern.lastIndex = 0;
    return pattern.test(value);
  } catch {
    return false;
  }
}
