import { guard } from '../guard';
import type { Integration } from '../integration';
import type { Event } from '../types';

/**
 * Drops an event that is the same as the one before it (same message or exception, same frames,
 * same fingerprint): the typical double report of one error seen by two hooks.
 */
export function dedupeIntegration(): Integration {
  let previous: string | undefined;
  return {
    name: 'Dedupe',
    processEvent(event) {
      const key = identity(event);
      if (key && key === previous) return null;
      previous = key;
      return event;
    },
  };
}

/** What makes two events the same, as a string; undefined for an event that cannot say. */
function identity({ logentry, fingerprint, exception }: Event): string | undefined {
  return guard(() =>
    JSON.stringify([
      logentry?.message,
      fingerprint,
      exception?.values.map(({ type, value, stacktrace }) => [type, value, stacktrace?.frames.map((f) => [f.filename, f.lineno, f.colno, f.function])]),
    ]),
  );
}
