import ErrorStackParserModule from 'error-stack-parser';
import { guard } from './guard';
import type { StackFrame } from './types';

// CONTRACT (owned by the exceptions work): keep these names; add the implementation below them.

/** Turns an `Error#stack` string into frames, outermost first and innermost (the throw site) last. */
export type StackParser = (stack: string, skipFirstLines?: number) => StackFrame[];

export interface StackParserOptions {
  /** Whether a frame is the app's own code; gets the file name as it appears in the stack. */
  isInApp?(filename: string): boolean;
  /** The `filename` to report (e.g. relative to the app root); the raw one then goes in `abs_path`. */
  normalizeFilename?(filename: string): string;
  moduleFromFilename?(filename: string): string | undefined;
}

/** Sentry's limit: Relay keeps at most this many frames of one stack anyway. */
export const STACKTRACE_FRAME_LIMIT = 50;
// Sentry's parsers skip longer lines: a regular expression over a megabyte of minified code on one
// line costs far more than the frame is worth.
const MAX_LINE_LENGTH = 1024;
/** Frames kept per parser, by line (at most MAX_LINE_LENGTH each: 256 KiB of lines at worst). */
const FRAME_CACHE_SIZE = 256;
const UNKNOWN_FUNCTION = '?';

// Linear stand-ins for the tests error-stack-parser runs to pick its V8 or Firefox/Safari reader
// (theirs backtrack badly on long lines without a match, and we test every line of the stack).
const V8_LINE = /^\s*at /;
const LOCATION = /:\d/;

interface ParsedFrame {
  functionName?: string;
  fileName?: string;
  lineNumber?: number;
  columnNumber?: number;
}
interface ErrorStackParserApi {
  parse(error: { stack: string }): ParsedFrame[];
}

// error-stack-parser 3.0.0 is CommonJS that sets `module.exports.default`; depending on the interop
// of the loader (Node ESM, rollup, vitest) the default import is the parser or `{ default: parser }`.
const loaded = ErrorStackParserModule as unknown as ErrorStackParserApi & { default?: ErrorStackParserApi };
const library: ErrorStackParserApi = loaded.default ?? loaded;

export function defaultIsInApp(filename: string): boolean {
  return !/^(node:|internal\/|native$)|[/\\]node_modules[/\\]/.test(filename);
}

/**
 * Builds the parser a platform hands to the client. Each frame line is parsed on its own, so one
 * line the library chokes on costs that frame only, and a huge or hostile `stack` costs at most
 * the scan plus `STACKTRACE_FRAME_LIMIT` parses. `skipFirstLines` drops that many innermost frames.
 */
export function createStackParser(options: StackParserOptions = {}): StackParser {
  const isInApp = options.isInApp ?? defaultIsInApp;
  // The same code throws from the same lines again and again, and parsing a line (the library, then
  // the platform's file name functions) is most of the cost of a stack: each line's frame is kept,
  // the oldest going first past the bound, and handed out as a copy (later steps add to frames).
  const made = new Map<string, StackFrame | undefined>();
  const frameFor = (line: string): StackFrame | undefined => {
    if (!made.has(line)) {
      if (made.size >= FRAME_CACHE_SIZE) made.delete(made.keys().next().value!);
      made.set(line, toFrame(line, options, isInApp));
    }
    const frame = made.get(line);
    // Not `{ ...frame }`: V8 (Node 20) gives spread copies maps outside its transition tree, and every
    // field written to one later (context lines add three) then makes a new map, about 1 µs a write.
    return frame && Object.assign({}, frame);
  };
  return (stack, skipFirstLines = 0) => {
    try {
      if (typeof stack !== 'string' || stack === '') return [];
      const skip = Math.max(0, Math.floor(skipFirstLines) || 0);
      const innermostFirst: StackFrame[] = [];
      for (const line of frameLines(stack, STACKTRACE_FRAME_LIMIT + skip)) {
        const frame = frameFor(line);
        if (frame) innermostFirst.push(frame);
      }
      return innermostFirst.slice(skip, skip + STACKTRACE_FRAME_LIMIT).reverse();
    } catch {
      return [];
    }
  };
}

/**
 * Picks the lines that look like frames, innermost first, stopping once `wanted` are found.
 * V8 puts the message (possibly many lines of it) before its `at` lines; Firefox and Safari
 * write frames only. Once a V8 line is seen, earlier look-alike lines were the message.
 */
function frameLines(stack: string, wanted: number): string[] {
  const v8: string[] = [];
  const gecko: string[] = [];
  let start = 0;
  while (start <= stack.length && v8.length < wanted) {
    let end = stack.indexOf('\n', start);
    if (end === -1) end = stack.length;
    const line = stack.slice(start, end > start && stack.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    if (line.length > MAX_LINE_LENGTH) continue;
    if (V8_LINE.test(line)) {
      if (LOCATION.test(line) || line.includes('(native)')) v8.push(line.replace(/^(\s*at )async /, '$1'));
    } else if (v8.length === 0 && gecko.length < wanted && LOCATION.test(line) && !line.includes('Error: ')) {
      gecko.push(geckoSafe(line));
    }
  }
  return v8.length > 0 ? v8 : gecko;
}

/**
 * error-stack-parser reads a Firefox/Safari function name with `/((.*".+"[^@]*)?[^@]*)(?:@)/`,
 * which backtracks for minutes on a line with several quotes and no '@' after them. A line
 * without '@' (a Safari top-level frame) parses the same with one in front, and names with more
 * than one pair of quotes lose their quotes.
 */
function geckoSafe(line: string): string {
  const second = line.indexOf('"', line.indexOf('"') + 1);
  const third = second === -1 ? -1 : line.indexOf('"', second + 1);
  const safe = third === -1 ? line : line.replace(/"/g, '');
  return safe.includes('@') ? safe : `@${safe}`;
}

function toFrame(line: string, options: StackParserOptions, isInApp: (filename: string) => boolean): StackFrame | undefined {
  const parsed = guard(() => library.parse({ stack: line })[0]);
  let raw = parsed?.fileName;
  if (!raw || typeof raw !== 'string') return undefined;
  if (raw === '(native)') raw = 'native';
  const frame: StackFrame = { filename: raw, function: parsed!.functionName || UNKNOWN_FUNCTION };
  const filename = guard(() => options.normalizeFilename?.(raw));
  if (typeof filename === 'string' && filename !== raw) {
    frame.filename = filename;
    frame.abs_path = raw;
  }
  const module = guard(() => options.moduleFromFilename?.(raw));
  if (module && typeof module === 'string') frame.module = module;
  // The protocol wants unsigned integers; anything else is left out rather than sent invalid.
  for (const [key, value] of [['lineno', Number(parsed!.lineNumber)], ['colno', Number(parsed!.columnNumber)]] as const) {
    if (Number.isSafeInteger(value) && value >= 0) frame[key] = value;
  }
  frame.in_app = guard(() => isInApp(raw)) === true;
  return frame;
}
