import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Event, StackFrame } from '@faultline/core';
import { contextLinesIntegration, readSourceFile } from '../../src/integrations/context-lines';

const dir = mkdtempSync(join(tmpdir(), 'faultline-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sourceFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

const numbered = (count: number): string[] => Array.from({ length: count }, (_, i) => `line ${i + 1}`);

function eventWith(...frames: StackFrame[]): Event {
  return { exception: { values: [{ type: 'Error', value: 'x', stacktrace: { frames } }] } };
}

async function process(integration: ReturnType<typeof contextLinesIntegration>, event: Event): Promise<StackFrame[]> {
  const result = (await integration.processEvent!(event, {}, undefined as never)) as Event;
  return result.exception!.values[0]!.stacktrace!.frames;
}

/** The real reader, counting the files it was asked for. */
function countingReader(): { read: typeof readSourceFile; calls: string[] } {
  const calls: string[] = [];
  return { calls, read: (path) => (calls.push(path), readSourceFile(path)) };
}

describe('contextLinesIntegration', () => {
  it('adds the lines of files it has already read at once, without making the event wait', async () => {
    const path = sourceFile('again.js', numbered(20));
    const integration = contextLinesIntegration();
    await process(integration, eventWith({ filename: path, lineno: 3, in_app: true }));
    const next = integration.processEvent!(eventWith({ filename: path, lineno: 4, in_app: true }), {}, undefined as never) as Event;
    expect(next).not.toBeInstanceOf(Promise);
    expect(next.exception!.values[0]!.stacktrace!.frames[0]).toMatchObject({ context_line: 'line 4', pre_context: ['line 1', 'line 2', 'line 3'] });
  });

  it('adds five lines before and after the frame line by default', async () => {
    const path = sourceFile('app.js', numbered(20));
    const [frame] = await process(contextLinesIntegration(), eventWith({ filename: path, lineno: 10, colno: 1, in_app: true }));
    expect(frame).toMatchObject({
      pre_context: ['line 5', 'line 6', 'line 7', 'line 8', 'line 9'],
      context_line: 'line 10',
      post_context: ['line 11', 'line 12', 'line 13', 'line 14', 'line 15'],
    });
  });

  it('stops at the start and the end of the file, and honours frameContextLines', async () => {
    const path = sourceFile('short.js', numbered(3));
    const [first, last] = await process(
      contextLinesIntegration({ frameContextLines: 2 }),
      eventWith({ filename: path, lineno: 1 }, { filename: path, lineno: 3 }),
    );
    expect(first).toMatchObject({ pre_context: [], context_line: 'line 1', post_context: ['line 2', 'line 3'] });
    expect(last).toMatchObject({ pre_context: ['line 1', 'line 2'], context_line: 'line 3', post_context: [] });
  });

  it('cuts minified lines to a window around the column', async () => {
    const long = `${'a'.repeat(5000)}THROW${'b'.repeat(5000)}`;
    const path = sourceFile('bundle.js', ['first', long]);
    const [frame] = await process(contextLinesIntegration(), eventWith({ filename: path, lineno: 2, colno: 5001 }));
    expect(frame!.context_line).toMatch(/^\{snip\} a+THROWb+ \{snip\}$/);
    expect(frame!.context_line!.length).toBeLessThan(160);
    expect(frame!.pre_context).toEqual(['first']);
  });

  it('leaves frames without a readable file alone, and does not try a missing file twice', async () => {
    const { read, calls } = countingReader();
    const integration = contextLinesIntegration({}, read);
    const missing = join(dir, 'missing.js');
    const frames = [
      { filename: missing, lineno: 1 },
      { filename: 'node:internal/process/task_queues', lineno: 95 },
      { filename: '<anonymous>', lineno: 1 },
      { filename: join(dir, 'x.min.js'), lineno: 1 },
    ];
    const result = await process(integration, eventWith(...frames.map((f) => ({ ...f }))));
    await process(integration, eventWith(...frames.map((f) => ({ ...f }))));
    expect(result.every((f) => f.context_line === undefined)).toBe(true);
    expect(calls).toEqual([missing]);
  });

  it('skips files over a megabyte', async () => {
    const path = sourceFile('huge.js', [`x`, 'y'.repeat(1024 * 1024)]);
    const [frame] = await process(contextLinesIntegration(), eventWith({ filename: path, lineno: 1 }));
    expect(frame!.context_line).toBeUndefined();
  });

  it('reads a file once for all its frames, and keeps the ten most recent files', async () => {
    const { read, calls } = countingReader();
    const integration = contextLinesIntegration({}, read);
    const paths = Array.from({ length: 11 }, (_, i) => sourceFile(`f${i}.js`, numbered(3)));
    await process(integration, eventWith({ filename: paths[0]!, lineno: 1 }, { filename: paths[0]!, lineno: 2 }));
    expect(calls).toEqual([paths[0]]);
    for (const path of paths.slice(1)) await process(integration, eventWith({ filename: path, lineno: 1 }));
    await process(integration, eventWith({ filename: paths[10]!, lineno: 2 }));
    expect(calls.length).toBe(11);
    // The first file was the least recently used of eleven: it was dropped and is read again.
    const [frame] = await process(integration, eventWith({ filename: paths[0]!, lineno: 3 }));
    expect(frame!.context_line).toBe('line 3');
    expect(calls.length).toBe(12);
  });

  it('keeps context the frame already has', async () => {
    const path = sourceFile('kept.js', numbered(3));
    const [frame] = await process(contextLinesIntegration(), eventWith({ filename: path, lineno: 1, context_line: 'given' }));
    expect(frame!.context_line).toBe('given');
  });
});
