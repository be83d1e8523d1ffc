import { guard } from '../guard';
import type { Integration } from '../integration';
import type { Event } from '../types';

/**
 * Drops an event that is the same as the one before it (same message or exception, same frames,
 * same fingerprint): the typical double report of one error seen by two hooks.
 */
export function dedupeIntegration(): Integration {
  let previous: Event | undefined;
  return {
    name: 'Dedupe',
    processEvent(event) {
      const last = previous;
      previous = event;
      // Events mostly differ before their frames: those are serialized only when the rest matches.
      const key = last && identity(event);
      return key && key === identity(last!) && identity(event, true) === identity(last!, true) ? null : event;
    },
  };
}

/** What makes two events the same, as a string (with the frames, or without); undefined for an event that cannot say. */
function identity({ logentry, fingerprint, exception }: Event, frames?: boolean): string | undefined {
  return guard(() =>
    JSON.stringify([
      logentry?.message,
      fingerprint,
      exception?.values.map(({ type, value, stacktrace }) => [type, value, frames && stacktrace?.frames.map((f) => [f.filename, f.lineno, f.colno, f.function])]),
    ]),
  );
}
