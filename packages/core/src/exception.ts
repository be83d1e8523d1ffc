import { guard } from './guard';
import { constructorName, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_NORMALIZE_DEPTH, normalize, truncate } from './normalize';
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
}

const UNREADABLE = '<unreadable value>';
const LEVELS = ['fatal', 'error', 'warning', 'info', 'debug'];

/** `obj[key]`, or undefined when reading it throws. */
export function safeGet(obj: unknown, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown> | null | undefined)?.[key];
  } catch {
    return undefined;
  }
}

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
export function exceptionFromError(error: unknown, stackParser: StackParser): Exception {
  return guard(() => describe(error, stackParser)[0]) ?? { type: 'Error', value: UNREADABLE };
}

/**
 * The event for a captured value of any kind: `exception.values` holds one exception (linked
 * errors add the causes later) with the hint's mechanism. Never throws.
 */
export function eventFromUnknown(value: unknown, hint: EventHint | undefined, options: EventFromUnknownOptions): Event {
  const [exception, synthetic, serialized] = guard(() => describe(value, options.stackParser, options.normalizeDepth)) ?? [
    { type: 'Error', value: UNREADABLE },
    true,
  ];
  exception.value = truncate(exception.value!, options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH);
  // Nothing was thrown that carries a stack; the capture site's stack is the next best thing.
  if (synthetic) addSyntheticFrames(exception, hint, options.stackParser);
  exception.mechanism = mechanismFrom(hint, synthetic);
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
  const text = truncate(stringify(message), options?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH);
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

function describe(value: unknown, stackParser: StackParser, normalizeDepth?: number): Described {
  if (isErrorLike(value)) {
    const exception: Exception = { type: errorType(value), value: errorMessage(value) };
    const frames = parseFrames(stackParser, safeGet(value, 'stack'));
    if (frames.length) exception.stacktrace = { frames };
    return [exception, false];
  }
  if (value === null || typeof value !== 'object') {
    // A function's source is no message: its name is.
    const text = typeof value === 'function' ? normalize(value) : typeof value === 'bigint' ? `${value}n` : value;
    return [{ type: 'Error', value: stringify(text) }, true];
  }
  // DOM and Node events (`Event`, `ErrorEvent`, `PromiseRejectionEvent`) are typed by their class.
  const tag = guard(() => Object.prototype.toString.call(value)) ?? '';
  const type = /^\[object \w*Event\]$/.test(tag) ? constructorName(value) : 'Error';
  return [{ type, value: messageForObject(value) }, true, normalize(value, normalizeDepth ?? DEFAULT_NORMALIZE_DEPTH)];
}

function errorType(error: object): string {
  const name = safeGet(error, 'name');
  return (typeof name === 'string' && name) || constructorName(error);
}

function errorMessage(error: object): string {
  const message = safeGet(error, 'message');
  return message == null || message === '' ? 'No error message' : stringify(message);
}

/** Sentry's wording (`getMessageForObject`), so issues read the same as users know them. */
function messageForObject(value: object): string {
  const name = safeGet(value, 'name');
  const message = safeGet(value, 'message');
  if (typeof name === 'string') {
    const base = `'${truncate(name, 200)}' captured as exception`;
    return typeof message === 'string' ? `${base} with message '${message}'` : base;
  }
  if (typeof message === 'string') return message;
  const className = constructorName(value);
  return `${/^(Object|null prototype)$/.test(className) ? 'Object' : `'${className}'`} captured as exception with keys: ${keysForMessage(value)}`;
}

const MAX_KEYS_LENGTH = 40;
// Sorting needs every key; past this many, the sample stands for the whole.
const MAX_KEYS_SAMPLED = 1000;

/** Sorted keys joined, up to 40 characters, like Sentry's `extractExceptionKeysForMessage`. */
function keysForMessage(value: object): string {
  const keys: string[] = [];
  try {
    for (const key in value) {
      if (keys.length >= MAX_KEYS_SAMPLED) break;
      if (Object.prototype.hasOwnProperty.call(value, key)) keys.push(key);
    }
  } catch {
    if (!keys.length) return '[object keys could not be read]';
  }
  const [first, ...rest] = keys.sort();
  if (first === undefined) return '[object has no keys]';
  // As many whole keys as fit, without an ellipsis, as Sentry writes it.
  let joined = truncate(first, MAX_KEYS_LENGTH);
  for (const key of rest) {
    if (joined.length + key.length + 2 > MAX_KEYS_LENGTH) break;
    joined += `, ${key}`;
  }
  return joined;
}

/** `String(value)` that survives symbols, throwing `toString`s and revoked proxies; objects as JSON. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = guard(() => {
    if (value === null || typeof value !== 'object') return String(value);
    const normalized = normalize(value, 1, 100, 1000);
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

function mechanismFrom(hint: EventHint | undefined, synthetic: boolean): Mechanism {
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
    const normalized = normalize(data);
    if (normalized !== null && typeof normalized === 'object' && !Array.isArray(normalized)) mechanism.data = normalized as Record<string, unknown>;
  }
  if (synthetic) mechanism.synthetic = true;
  return mechanism;
}
