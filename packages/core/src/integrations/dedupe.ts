import type { Integration } from '../integration';
import type { Event, Exception, StackFrame } from '../types';

/**
 * Drops an event that is the same as the one before it (same message or exception, same frames,
 * same fingerprint): the typical double report of one error seen by two hooks.
 */
export function dedupeIntegration(): Integration {
  let previous: Event | undefined;
  return {
    name: 'Dedupe',
    processEvent(event) {
      if (previous && isSameEvent(event, previous)) return null;
      previous = event;
      return event;
    },
  };
}

function isSameEvent(a: Event, b: Event): boolean {
  if ((a.logentry?.message ?? '') !== (b.logentry?.message ?? '')) return false;
  if (!sameList(a.fingerprint, b.fingerprint, (x, y) => x === y)) return false;
  return sameList(a.exception?.values, b.exception?.values, sameException);
}

function sameException(a: Exception, b: Exception): boolean {
  return a.type === b.type && a.value === b.value && sameList(a.stacktrace?.frames, b.stacktrace?.frames, sameFrame);
}

function sameFrame(a: StackFrame, b: StackFrame): boolean {
  return a.filename === b.filename && a.lineno === b.lineno && a.colno === b.colno && a.function === b.function;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (!a || !b) return a === b || (!a?.length && !b?.length);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}
