import { DEFAULT_MAX_VALUE_LENGTH, DEFAULT_NORMALIZE_DEPTH, normalize, truncate } from './normalize';
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

/** `obj[key]`, or undefined when reading it throws. */
export function safeGet(obj: unknown, key: PropertyKey): unknown {
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return undefined;
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
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
  try {
    if (value instanceof Error) return true;
    const tag = Object.prototype.toString.call(value);
    if (tag === '[object Error]' || tag === '[object DOMException]' || tag === '[object Exception]') return true;
  } catch {
    return false;
  }
  return (
    typeof safeGet(value, 'name') === 'string' &&
    typeof safeGet(value, 'message') === 'string' &&
    typeof safeGet(value, 'stack') === 'string'
  );
}

/** One exception entry for one thrown value, without mechanism. Never throws. */
export function exceptionFromError(error: unknown, stackParser: StackParser): Exception {
  try {
    return describe(error, stackParser).exception;
  } catch {
    return { type: 'Error', value: '<unreadable value>' };
  }
}

/**
 * The event for a captured value of any kind: `exception.values` holds one exception (linked
 * errors add the causes later) with the hint's mechanism. Never throws.
 */
export function eventFromUnknown(value: unknown, hint: EventHint | undefined, options: EventFromUnknownOptions): Event {
  const maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  let described: Described;
  try {
    described = describe(value, options.stackParser, options.normalizeDepth);
  } catch {
    described = { exception: { type: 'Error', value: '<unreadable value>' }, synthetic: true };
  }
  const { exception } = described;
  if (exception.value !== undefined) exception.value = truncate(exception.value, maxValueLength);
  if (described.synthetic) {
    // Nothing was thrown that carries a stack; the capture site's stack is the next best thing.
    const frames = syntheticFrames(hint, options.stackParser);
    if (frames.length > 0) exception.stacktrace = { frames };
  }
  exception.mechanism = mechanismFrom(hint, described.synthetic);
  const event: Event = { level: 'error', exception: { values: [exception] } };
  if (described.serialized !== undefined) event.extra = { __serialized__: described.serialized };
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
  const maxValueLength = options?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const text = truncate(typeof message === 'string' ? message : stringify(message), maxValueLength);
  const event: Event = { level: LEVELS.has(level) ? level : 'info', logentry: { message: text } };
  if (options?.attachStacktrace && options.stackParser) {
    const frames = syntheticFrames(hint, options.stackParser);
    if (frames.length > 0) {
      event.exception = {
        values: [{ value: text, stacktrace: { frames }, mechanism: { type: 'generic', synthetic: true, handled: true } }],
      };
    }
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

const LEVELS = new Set<string>(['fatal', 'error', 'warning', 'info', 'debug']);

interface Described {
  exception: Exception;
  /** True when the value carried no stack of its own (anything but an Error). */
  synthetic: boolean;
  serialized?: unknown;
}

function describe(value: unknown, stackParser: StackParser, normalizeDepth?: number): Described {
  if (isErrorLike(value)) return { exception: fromError(value, stackParser), synthetic: false };
  if (value !== null && typeof value === 'object') {
    return {
      exception: { type: eventType(value) ?? 'Error', value: messageForObject(value) },
      synthetic: true,
      serialized: normalize(value, normalizeDepth ?? DEFAULT_NORMALIZE_DEPTH),
    };
  }
  return { exception: { type: 'Error', value: describePrimitive(value) }, synthetic: true };
}

function fromError(error: object, stackParser: StackParser): Exception {
  const exception: Exception = { type: errorType(error), value: errorMessage(error) };
  const stack = safeGet(error, 'stack');
  if (typeof stack === 'string') {
    const frames = parseSafely(stackParser, stack);
    if (frames.length > 0) exception.stacktrace = { frames };
  }
  return exception;
}

function errorType(error: object): string {
  const name = safeGet(error, 'name');
  if (typeof name === 'string' && name !== '') return truncate(name, 200);
  const ctor = safeGet(error, 'constructor');
  const ctorName = safeGet(ctor, 'name');
  if (typeof ctorName === 'string' && ctorName !== '') return truncate(ctorName, 200);
  return 'Error';
}

function errorMessage(error: object): string {
  const message = safeGet(error, 'message');
  if (typeof message === 'string') return truncate(message, DEFAULT_MAX_VALUE_LENGTH) || 'No error message';
  // Some libraries nest the real error: `{ message: { error: { message } } }` (Sentry handles it too).
  const nested = safeGet(safeGet(message, 'error'), 'message');
  if (typeof nested === 'string') return truncate(nested, DEFAULT_MAX_VALUE_LENGTH);
  if (message === undefined || message === null || message === '') return 'No error message';
  return truncate(stringify(message), DEFAULT_MAX_VALUE_LENGTH);
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
  const label = className && className !== 'Object' ? `'${className}'` : 'Object';
  return `${label} captured as exception with keys: ${keysForMessage(value)}`;
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
    if (keys.length === 0) return '[object keys could not be read]';
  }
  keys.sort();
  const first = keys[0];
  if (first === undefined) return '[object has no keys]';
  if (first.length >= MAX_KEYS_LENGTH) return truncate(first, MAX_KEYS_LENGTH);
  // As many whole keys as fit, without an ellipsis, as Sentry writes it.
  let joined = first;
  for (let i = 1; i < keys.length; i++) {
    const next = `${joined}, ${keys[i]}`;
    if (next.length > MAX_KEYS_LENGTH) break;
    joined = next;
  }
  return joined;
}

/** DOM and Node events (`Event`, `ErrorEvent`, `PromiseRejectionEvent`) are typed by their class. */
function eventType(value: object): string | undefined {
  try {
    const tag = Object.prototype.toString.call(value);
    return /^\[object \w*Event\]$/.test(tag) ? constructorName(value) || tag.slice(8, -1) : undefined;
  } catch {
    return undefined;
  }
}

function describePrimitive(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return `${String(value)}n`;
    case 'function': {
      const name = safeGet(value, 'name');
      return `[Function: ${typeof name === 'string' && name !== '' ? name : '<anonymous>'}]`;
    }
    default:
      return stringify(value);
  }
}

function constructorName(value: object): string | undefined {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    const name = safeGet(safeGet(proto, 'constructor'), 'name');
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `String(value)` that survives symbols, throwing `toString`s and revoked proxies. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const normalized = normalize(value, 1, 100, 1000);
    if (typeof normalized === 'string') return normalized;
    try {
      return JSON.stringify(normalized);
    } catch {
      return '<unreadable value>';
    }
  }
  try {
    return String(value);
  } catch {
    return '<unreadable value>';
  }
}

// The public capture functions (and the client's) that make a synthetic error, with the frames they call.
const CAPTURE_FUNCTION = /(^|\.)capture(Exception|Message)$/;

/**
 * Frames of the stack made at the capture site, without the SDK's own frames on top: everything from
 * the outermost `captureException`/`captureMessage` call inwards is ours (as Sentry strips them).
 */
function syntheticFrames(hint: EventHint | undefined, stackParser: StackParser): StackFrame[] {
  const stack = safeGet(hint?.syntheticException, 'stack');
  const frames = typeof stack === 'string' ? parseSafely(stackParser, stack) : [];
  const first = frames.findIndex((frame) => CAPTURE_FUNCTION.test(frame.function ?? ''));
  return first === -1 ? frames : frames.slice(0, first);
}

function parseSafely(stackParser: StackParser, stack: string): StackFrame[] {
  try {
    const frames = stackParser(stack);
    return Array.isArray(frames) ? frames : [];
  } catch {
    return [];
  }
}

function mechanismFrom(hint: EventHint | undefined, synthetic: boolean): Mechanism {
  const given = safeGet(hint, 'mechanism');
  const mechanism: Mechanism = { type: 'generic', handled: true };
  if (given !== null && typeof given === 'object') {
    const type = safeGet(given, 'type');
    if (typeof type === 'string' && type !== '') mechanism.type = type;
    for (const key of ['handled', 'synthetic', 'is_exception_group'] as const) {
      const flag = safeGet(given, key);
      if (typeof flag === 'boolean') mechanism[key] = flag;
    }
    for (const key of ['exception_id', 'parent_id'] as const) {
      const id = safeGet(given, key);
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) mechanism[key] = id;
    }
    const source = safeGet(given, 'source');
    if (typeof source === 'string') mechanism.source = source;
    const data = safeGet(given, 'data');
    if (data !== null && typeof data === 'object') {
      const normalized = normalize(data, DEFAULT_NORMALIZE_DEPTH);
      if (normalized !== null && typeof normalized === 'object' && !Array.isArray(normalized)) {
        mechanism.data = normalized as Record<string, unknown>;
      }
    }
  }
  if (synthetic) mechanism.synthetic = true;
  return mechanism;
}
