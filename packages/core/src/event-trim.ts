import { JSON_TEXT, utf8Length } from './envelope';
import { guard } from './guard';
import { logger } from './logger';
import { jsonSize, truncate } from './normalize';
import type { Event } from './types';

// What an event bounded by ./event-limits.ts gives up when it is still over the size limit (an
// event item may be 1 MiB: https://develop.sentry.dev/sdk/data-model/envelopes/#size-limits).

type Json = Record<string, any>;

/**
 * The client's default size policy, small enough for the CDN bundle: an event over `maxBytes` is
 * not sent (undefined), and the client counts it as `send_error` (what Sentry's SDKs record for an
 * envelope the server refuses as too large, HTTP 413). `keepJson`: the event goes to the envelope
 * unchanged, which may reuse the JSON written to measure it.
 */
export function dropOverSize(event: Event, maxBytes: number, keepJson?: boolean): Event | undefined {
  return fits(event, maxBytes, keepJson) ? event : undefined;
}

/**
 * Whether the event's JSON is at most `maxBytes`; when it is and `keepJson`, the text is kept for
 * the envelope (`JSON_TEXT`), so that an event that fits is serialized once. UTF-8 takes at most 3
 * bytes per UTF-16 unit, so most events need no byte count.
 */
function fits(event: Event, maxBytes: number, keepJson?: boolean): boolean {
  const json = guard(() => JSON.stringify(event));
  const fit = json !== undefined && (json.length * 3 <= maxBytes || utf8Length(json) <= maxBytes);
  if (fit && keepJson) (event as { [JSON_TEXT]?: string })[JSON_TEXT] = json;
  return fit;
}

// Each step removes one thing, cheapest loss first; steps repeat until the event fits or the step
// has nothing left to remove.

/** Removes one thing from the event and returns it; undefined when it has nothing left to remove. */
type TrimStep = (event: Json) => unknown;

const TRIM_STEPS: TrimStep[] = [
  (event) => dropLargest(event, 'extra'),
  (event) => event.breadcrumbs?.values.shift(),
  (event) => dropLargest(event, 'contexts'),
  (event) => take(event, 'request'),
  // Source lines and variables of every frame at once: a frame without them says as much as another.
  (event) => {
    const removed = frames(event).flatMap((frame) => ['context_line', 'pre_context', 'post_context', 'vars'].map((key) => take(frame, key)).filter(Boolean));
    return removed.length ? removed : undefined;
  },
  // The middle frames say the least: the outermost caller and the throw site stay.
  (event) => {
    const stacktrace = stacktraces(event).find((stacktrace) => stacktrace.frames.length > 2);
    return stacktrace?.frames.splice(stacktrace.frames.length >> 1, 1);
  },
  (event) => (event.exception?.values.length > 1 ? event.exception.values.shift() : undefined),
  (event) => ['user', 'tags', 'fingerprint', 'modules', 'extra', 'contexts', 'breadcrumbs', 'sdk'].map((key) => take(event, key)).find(Boolean),
  (event) => shorten(event.logentry, 'message'),
  (event) => shorten(event.exception?.values[0], 'value'),
];

/**
 * The npm packages' size policy (passed to the client as `fitEvent` by their `init`): over
 * `maxBytes`, the event gives up, in order: extras, breadcrumbs (oldest first), contexts, request
 * data, frame source and variables, middle frames, linked exceptions, the other optional fields,
 * then shortens the message; the thrown exception's type and value stay. `keepJson` as in
 * `dropOverSize`.
 */
export function fitToSize(event: Event, maxBytes: number, keepJson?: boolean): Event {
  if (fits(event, maxBytes, keepJson)) return event;
  let size = jsonSize(event);
  for (const step of TRIM_STEPS) {
    while (size > maxBytes) {
      const removed = step(event as Json);
      if (removed === undefined) break;
      // Without the key and separators, so the estimate stays high: measured again once it fits.
      size -= jsonSize(removed);
      if (size <= maxBytes) size = jsonSize(event);
    }
  }
  if (size > maxBytes) logger.warn(`Event still over ${maxBytes} bytes after trimming.`);
  return event;
}

/** Removes the largest entry of `event[key]` (and the bag once empty). */
function dropLargest(event: Json, key: string): unknown {
  const bag = event[key];
  let largest: string | undefined;
  let bytes = -1;
  for (const name in bag) {
    const size = jsonSize(bag[name]);
    if (size > bytes) [largest, bytes] = [name, size];
  }
  return largest === undefined ? take(event, key) : take(bag, largest);
}

function take(object: Json | undefined, key: string): unknown {
  const value = object?.[key];
  delete object?.[key];
  return value;
}

/** Halves a long string; its removed half is what comes back. */
function shorten(object: Json | undefined, key: string): unknown {
  const text = object?.[key];
  if (typeof text !== 'string' || text.length <= 64) return undefined;
  object![key] = truncate(text, text.length >> 1);
  return text.slice(text.length >> 1, -3);
}

function stacktraces(event: Json): Json[] {
  return (event.exception?.values ?? []).map((exception: Json) => exception.stacktrace).filter(Boolean);
}

function frames(event: Json): Json[] {
  return stacktraces(event).flatMap((stacktrace) => stacktrace.frames);
}
