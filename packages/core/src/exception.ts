import { guard } from './guard';
import { constructorName, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_NORMALIZE_DEPTH, normalizeFiltered, safeGet, truncate, type ExoticValue } from './normalize';
import type { StackParser } from './stack-parser';
import type { Event, EventHint, Exception, Mechanism, SeverityLevel, StackFrame } from './types';

// Turns whatever was thrown into protocol exceptions. Anything at all can be thrown in JavaScript,
// including Proxies (revoked ones throw on every operation) and objects whose getters throw, so
// every read of the value goes through `safeGet` and every coercion is guarded.

export interface EventFromUnknownOptions {
  stackParser: StackParser;
  attachStacktrace?: boolean;
  normalizeDepth?: number;
  /** Longest exception value kept (default 8192, Relay's limit; not Sentry's 250 for messages). */
  maxValueLength?: number;
  /** Special values `normalize` knows (./exotic-values.ts, in the full pipeline). */
  exoticValue?: ExoticValue;
  /**
   * The exception value for a thrown object that is no Error (the full pipeline's is Sentry's
   * wording, ./object-message.ts); default: its `message`, else "Object captured as exception".
   */
  objectMessage?: (value: object) => string;
}

const UNREADABLE = '<unreadable value>';
/** The protocol's levels (./event-limits.ts checks events against them too). */
export const LEVELS: readonly string[] = ['fatal', 'error', 'warning', 'info', 'debug'];

/**
 * Whether `value` is an Error: a real one from this realm, one from another realm (an iframe, a vm
 * context) or something that looks like one (string name, message and stack).
 */
export function isErrorLike(value: unknown): value is Error {
  if (value === null || typeof value !== 'object') return false;
  const tag = guard(() => value instanceof Error || Object.prototype.toString.call(value));
  if (tag === undefined) return false;
  return (
    tag === true ||
    /^\[object (Error|DOMException)\]$/.test(String(tag)) ||
    ['name', 'message', 'stack'].every((key) => typeof safeGet(value, key) === 'string')
  );
}

/** One exception entry for one thrown value, without mechanism. Never throws. */
export function exceptionFromError(error: unknown, parser: StackParser | EventFromUnknownOptions): Exception {
  return guard(() => describe(error, typeof parser === 'function' ? { stackParser: parser } : parser)[0]) ?? { type: 'Error', value: UNREADABLE };
}

/**
 * The event for a captured value of any kind: `exception.values` holds one exception (linked
 * errors add the causes later) with the hint's mechanism. Never throws.
 */
export function eventFromUnknown(value: unknown, hint: EventHint | undefined, options: EventFromUnknownOptions): Event {
  const [exception, synthetic, serialized] = guard(() => describe(value, options)) ?? [
    { type: 'Error', value: UNREADABLE },
    true,
  ];
  exception.value = truncate(exception.value!, options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH);
  // Nothing was thrown that carries a stack; the capture site's stack is the next best thing.
  if (synthetic) addSyntheticFrames(exception, hint, options.stackParser);
  exception.mechanism = mechanismFrom(hint, synthetic, options.exoticValue);
  const event: Event = { level: 'error', exception: { values: [exception] } };
  if (serialized !== undefined) event.extra = { __serialized__: serialized };
  return event;
}

/**
 * A message event. With `attachStacktrace`, the capture site's frames go in an exception entry
 * with no type and a synthetic mechanism, as Sentry's SDKs do (core `eventFromMessage`): the
 * server then groups and titles the event by its message, and the frames still show.
 */
export function eventFromMessage(
  message: unknown,
  level: SeverityLevel = 'info',
  hint?: EventHint,
  options?: Partial<EventFromUnknownOptions>,
): Event {
  const text = truncate(stringify(message, options?.exoticValue), options?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH);
  const event: Event = { level: LEVELS.includes(level) ? level : 'info', logentry: { message: text } };
  if (options?.attachStacktrace && options.stackParser) {
    const exception: Exception = { value: text, mechanism: { type: 'generic', synthetic: true, handled: true } };
    if (addSyntheticFrames(exception, hint, options.stackParser)) event.exception = { values: [exception] };
  }
  return event;
}

/**
 * A cheap key saying "the same problem": exception types and values with their in-app frames
 * (all frames when none is in-app), or the message. For dedupe and storm control, not grouping.
 */
export function fingerprintOf(event: Event): string {
  try {
    const parts: string[] = [];
    for (const exception of event.exception?.values ?? []) {
      parts.push(`${exception.type ?? ''}: ${exception.value ?? ''}`);
      const frames = exception.stacktrace?.frames ?? [];
      const inApp = frames.filter((frame) => frame.in_app);
      for (const frame of inApp.length > 0 ? inApp : frames) {
        parts.push(`${frame.filename ?? ''}:${frame.function ?? ''}:${frame.lineno ?? ''}`);
      }
    }
    if (parts.length === 0) parts.push(event.logentry?.message ?? event.logentry?.formatted ?? '');
    return parts.join('\n');
  } catch {
    return '';
  }
}

/** The exception, whether it lacks a stack of its own (anything but an Error), and the value serialized. */
type Described = [exception: Exception, synthetic: boolean, serialized?: unknown];

function describe(value: unknown, options: EventFromUnknownOptions): Described {
  const exotic = options.exoticValue;
  if (isErrorLike(value)) {
    const exception: Exception = { type: errorType(value), value: errorMessage(value, exotic) };
    const frames = parseFrames(options.stackParser, safeGet(value, 'stack'));
    if (frames.length) exception.stacktrace = { frames };
    return [exception, false];
  }
  if (value === null || typeof value !== 'object') {
    // A function's source is no message: its name is.
    const text = typeof value === 'function' ? normalizeFiltered(value) : typeof value === 'bigint' ? `${value}n` : value;
    return [{ type: 'Error', value: stringify(text) }, true];
  }
  // DOM and Node events (`Event`, `ErrorEvent`, `PromiseRejectionEvent`) are typed by their class.
  const tag = guard(() => Object.prototype.toString.call(value)) ?? '';
  const type = /^\[object \w*Event\]$/.test(tag) ? constructorName(value) : 'Error';
  const message = (options.objectMessage ?? plainObjectMessage)(value);
  return [{ type, value: message }, true, normalizeFiltered(value, options.normalizeDepth ?? DEFAULT_NORMALIZE_DEPTH, undefined, undefined, undefined, exotic)];
}

function errorType(error: object): string {
  const name = safeGet(error, 'name');
  return (typeof name === 'string' && name) || constructorName(error);
}

function errorMessage(error: object, exotic: ExoticValue | undefined): string {
  const message = safeGet(error, 'message');
  return message == null || message === '' ? 'No error message' : stringify(message, exotic);
}

function plainObjectMessage(value: object): string {
  const message = safeGet(value, 'message');
  return typeof message === 'string' ? message : 'Object captured as exception';
}

/** `String(value)` that survives symbols, throwing `toString`s and revoked proxies; objects as JSON. */
function stringify(value: unknown, exotic?: ExoticValue): string {
  if (typeof value === 'string') return value;
  const text = guard(() => {
    if (value === null || typeof value !== 'object') return String(value);
    const normalized = normalizeFiltered(value, 1, 100, 1000, undefined, exotic);
    return typeof normalized === 'string' ? normalized : JSON.stringify(normalized);
  });
  return typeof text === 'string' ? text : UNREADABLE;
}

// The public capture functions (and the client's) that make a synthetic error, with the frames they call.
const CAPTURE_FUNCTION = /(^|\.)capture(Exception|Message)$/;

/**
 * Gives `exception` the frames of the stack made at the capture site, without the SDK's own frames
 * on top: everything from the outermost `captureException`/`captureMessage` call inwards is ours (as
 * Sentry strips them). Returns whether there were any.
 */
function addSyntheticFrames(exception: Exception, hint: EventHint | undefined, stackParser: StackParser): boolean {
  const frames = parseFrames(stackParser, safeGet(safeGet(hint, 'syntheticException'), 'stack'));
  const first = frames.findIndex((frame) => CAPTURE_FUNCTION.test(frame.function ?? ''));
  if (first !== -1) frames.length = first;
  if (frames.length) exception.stacktrace = { frames };
  return frames.length > 0;
}

function parseFrames(stackParser: StackParser, stack: unknown): StackFrame[] {
  const frames = typeof stack === 'string' ? guard(() => stackParser(stack)) : undefined;
  return Array.isArray(frames) ? frames : [];
}

// A hint's mechanism may hold anything: only the protocol's fields of the right types go on.
const MECHANISM_FIELDS: Record<string, string> = {
  handled: 'boolean',
  synthetic: 'boolean',
  is_exception_group: 'boolean',
  exception_id: 'number',
  parent_id: 'number',
  source: 'string',
};

function mechanismFrom(hint: EventHint | undefined, synthetic: boolean, exotic: ExoticValue | undefined): Mechanism {
  const given = safeGet(hint, 'mechanism');
  const type = safeGet(given, 'type');
  const mechanism: Mechanism = { type: typeof type === 'string' && type !== '' ? type : 'generic', handled: true };
  for (const key in MECHANISM_FIELDS) {
    const value = safeGet(given, key);
    // Ids are unsigned integers.
    if (typeof value === MECHANISM_FIELDS[key] && (typeof value !== 'number' || (Number.isSafeInteger(value) && value >= 0))) {
      (mechanism as unknown as Record<string, unknown>)[key] = value;
    }
  }
  const data = safeGet(given, 'data');
  if (data !== null && typeof data === 'object') {
    const normalized = normalizeFiltered(data, undefined, undefined, undefined, undefined, exotic);
    if (normalized !== null && typeof normalized === 'object' && !Array.isArray(normalized)) mechanism.data = normalized as Record<string, unknown>;
  }
  if (synthetic) mechanism.synthetic = true;
  return mechanism;
}
