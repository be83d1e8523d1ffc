import type { Event, Integration, StackFrame } from '@faultline/core';
import { builtin } from '../builtin-modules';

export interface ContextLinesOptions {
  /** Lines of source kept before and after the frame's line (default 5; 0 turns it off). */
  frameContextLines?: number;
}

/** Reads a source file's text; undefined when it cannot or should not be read. */
export type SourceReader = (path: string) => Promise<string | undefined>;

const CACHED_FILES = 10;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FAILED_FILES = 1000;
// Long lines are minified code: a window around the column is what a reader can use (Sentry keeps
// about 140 characters too, see snipLine in @sentry/core).
const MAX_LINE_LENGTH = 140;

/**
 * Reads without blocking the event loop, and never a file too big to be source someone wrote.
 * (`fs.promises` is read here, not imported: Node loads it on first access, not at start-up.)
 */
export async function readSourceFile(path: string): Promise<string | undefined> {
  const handle = await builtin('node:fs').promises.open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_FILE_BYTES) return undefined;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Adds `pre_context`, `context_line` and `post_context` to frames from the source files on disk. Files
 * are read once and kept in a small LRU cache; files that cannot be read are remembered and not tried
 * again.
 */
export function contextLinesIntegration(options: ContextLinesOptions = {}, readSource: SourceReader = readSourceFile): Integration {
  const contextLines = Math.max(0, Math.floor(options.frameContextLines ?? 5) || 0);
  /** Files read or being read, least recently used first; `lines` once read. */
  const cache = new Map<string, { read: Promise<string[] | undefined>; lines?: string[] }>();
  const failed = new Set<string>();
  let newest: string | undefined;

  function fileOf(path: string): { read: Promise<string[] | undefined>; lines?: string[] } {
    const cached = cache.get(path);
    if (cached) {
      // Map keeps insertion order: moving the entry to the end makes the first one the least recent
      // (a stack's frames are mostly in one file, which is then the newest already).
      if (path !== newest) {
        cache.delete(path);
        cache.set(path, cached);
        newest = path;
      }
      return cached;
    }
    newest = path;
    const file: { read: Promise<string[] | undefined>; lines?: string[] } = {
      read: Promise.resolve()
        .then(() => readSource(path))
        .then((text) => text?.split(/\r?\n/), () => undefined)
        .then((result) => {
          if (result) file.lines = result;
          else {
            cache.delete(path);
            if (failed.size >= MAX_FAILED_FILES) failed.clear();
            failed.add(path);
          }
          return result;
        }),
    };
    cache.set(path, file);
    if (cache.size > CACHED_FILES) cache.delete(cache.keys().next().value!);
    return file;
  }

  return {
    name: 'ContextLines',
    processEvent(event: Event): Event | Promise<Event> {
      if (contextLines === 0) return event;
      // Frames whose file is already read get their lines now; the event waits only for files being read
      // (most events come from code that threw before: no wait, no promise).
      const waiting: Array<Promise<unknown>> = [];
      for (const exception of event.exception?.values ?? []) {
        for (const frame of exception.stacktrace?.frames ?? []) {
          const path = sourcePath(frame);
          if (!path || failed.has(path) || frame.context_line !== undefined) continue;
          const file = fileOf(path);
          if (file.lines) addContext(frame, file.lines, contextLines);
          else waiting.push(file.read.then((lines) => lines && addContext(frame, lines, contextLines)));
        }
      }
      return waiting.length === 0 ? event : Promise.all(waiting).then(() => event);
    },
  };
}

/** The file a frame's source can be read from: a real path, not `node:internal/…` nor minified code. */
function sourcePath(frame: StackFrame): string | undefined {
  if (typeof frame.lineno !== 'number' || frame.lineno < 1) return undefined;
  const path = frame.filename;
  if (!path || !(path.startsWith('/') || /^[a-zA-Z]:\\/.test(path))) return undefined;
  if (/\.min\.[cm]?js$/.test(path)) return undefined;
  return path;
}

function addContext(frame: StackFrame, lines: string[], count: number): void {
  const index = frame.lineno! - 1;
  const line = lines[index];
  if (line === undefined) return;
  const column = frame.colno ?? 0;
  frame.pre_context = lines.slice(Math.max(0, index - count), index).map((l) => snip(l, column));
  frame.context_line = snip(line, column);
  frame.post_context = lines.slice(index + 1, index + 1 + count).map((l) => snip(l, column));
}

/** Keeps about MAX_LINE_LENGTH characters of a long line, around the column, marking what was cut. */
export function snip(line: string, column: number): string {
  if (line.length <= MAX_LINE_LENGTH) return line;
  const start = Math.max(0, Math.min(column - MAX_LINE_LENGTH / 2, line.length - MAX_LINE_LENGTH));
  const end = start + MAX_LINE_LENGTH;
  return `${start > 0 ? '{snip} ' : ''}${line.slice(start, end)}${end < line.length ? ' {snip}' : ''}`;
}
