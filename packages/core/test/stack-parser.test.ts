import { describe, expect, it } from 'vitest';
import { createStackParser, defaultIsInApp, STACKTRACE_FRAME_LIMIT } from '../src/stack-parser';

const parse = createStackParser();

function throwSite(): Error {
  return new Error('boom');
}

describe('createStackParser', () => {
  it('parses a real V8 stack outermost first, with the throw site last', () => {
    const error = throwSite();
    const frames = parse(error.stack!);
    const last = frames[frames.length - 1]!;
    expect(last.function).toBe('throwSite');
    expect(last.filename).toMatch(/stack-parser\.test\.ts$/);
    expect(last.lineno).toBeGreaterThan(0);
    expect(last.colno).toBeGreaterThan(0);
    expect(last.in_app).toBe(true);
    // The test runner calls us: its frames are outer, and from node_modules.
    expect(frames[0]!.in_app).toBe(false);
    expect(frames[0]!.filename).toMatch(/node_modules/);
  });

  it('does not take the lines of a multi-line message for frames', () => {
    const error = new Error('first line\n    second line at http://example.com/x.js:1:2\nthird');
    const frames = parse(error.stack!);
    expect(frames.every((frame) => !frame.filename!.includes('example.com'))).toBe(true);
    expect(frames[frames.length - 1]!.filename).toMatch(/stack-parser\.test\.ts$/);
  });

  it('parses a fixed V8 stack: native, node:internal, node_modules, async and eval frames', () => {
    const stack = [
      'TypeError: Cannot read properties of undefined (reading "x")',
      '    at Object.handler (/srv/app/src/routes/users.js:42:17)',
      '    at new Repository (/srv/app/node_modules/orm/lib/repo.js:10:5)',
      '    at Array.map (native)',
      '    at eval (eval at <anonymous> (/srv/app/src/loader.js:7:1), <anonymous>:1:28)',
      '    at async Promise.all (index 0)',
      '    at async file:///srv/app/src/main.mjs:3:4',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    expect(parse(stack)).toEqual([
      { filename: 'node:internal/process/task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false },
      { filename: 'file:///srv/app/src/main.mjs', function: '?', lineno: 3, colno: 4, in_app: true },
      { filename: '/srv/app/src/loader.js', function: 'eval', lineno: 7, colno: 1, in_app: true },
      { filename: 'native', function: 'Array.map', in_app: false },
      { filename: '/srv/app/node_modules/orm/lib/repo.js', function: 'new Repository', lineno: 10, colno: 5, in_app: false },
      { filename: '/srv/app/src/routes/users.js', function: 'Object.handler', lineno: 42, colno: 17, in_app: true },
    ]);
  });

  it('parses Firefox and Safari stacks', () => {
    const firefox = 'handleClick@https://shop.example/static/app.js:10:15\n@https://shop.example/static/app.js:20:3\n';
    expect(parse(firefox)).toEqual([
      { filename: 'https://shop.example/static/app.js', function: '?', lineno: 20, colno: 3, in_app: true },
      { filename: 'https://shop.example/static/app.js', function: 'handleClick', lineno: 10, colno: 15, in_app: true },
    ]);
    const safari = 'render@https://shop.example/app.js:5:9\n[native code]\nglobal code@https://shop.example/app.js:1:1';
    expect(parse(safari).map((frame) => frame.function)).toEqual(['global code', 'render']);
  });

  it('returns [] for stacks it cannot read, never throwing', () => {
    for (const stack of ['', 'just a message', '\n\n\n', 'Error: x\n    at <anonymous>', 42 as unknown as string, undefined as unknown as string]) {
      expect(parse(stack)).toEqual([]);
    }
  });

  it('keeps the innermost 50 frames of a deep stack', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `    at f${i} (/app/src/deep.js:${i + 1}:1)`);
    const frames = parse(`RangeError: Maximum call stack size exceeded\n${lines.join('\n')}`);
    expect(frames).toHaveLength(STACKTRACE_FRAME_LIMIT);
    expect(frames[frames.length - 1]!.function).toBe('f0');
    expect(frames[0]!.function).toBe('f49');
  });

  it('skips the requested number of innermost frames', () => {
    const stack = 'Error\n    at captureMessage (/app/sdk.js:1:1)\n    at wrapper (/app/sdk.js:2:1)\n    at userCode (/app/src/a.js:3:1)';
    expect(parse(stack, 2).map((frame) => frame.function)).toEqual(['userCode']);
  });

  it('skips frames without a file name', () => {
    const stack = 'Error\n    at foo (/app/a.js:1:2)\n    at <anonymous>\n    at new Promise (<anonymous>)';
    expect(parse(stack).map((frame) => frame.filename)).toEqual(['/app/a.js']);
  });

  it('uses the platform callbacks, and survives them throwing', () => {
    const custom = createStackParser({
      normalizeFilename: (filename) => filename.replace('/srv/app/', 'app:///'),
      moduleFromFilename: (filename) => (filename.includes('orm') ? 'orm.repo' : undefined),
      isInApp: (filename) => filename.startsWith('/srv/app/src'),
    });
    const stack = 'Error\n    at a (/srv/app/node_modules/orm/repo.js:1:1)\n    at b (/srv/app/src/b.js:2:2)';
    expect(custom(stack)).toEqual([
      { filename: 'app:///src/b.js', abs_path: '/srv/app/src/b.js', function: 'b', lineno: 2, colno: 2, in_app: true },
      {
        filename: 'app:///node_modules/orm/repo.js',
        abs_path: '/srv/app/node_modules/orm/repo.js',
        module: 'orm.repo',
        function: 'a',
        lineno: 1,
        colno: 1,
        in_app: false,
      },
    ]);
    const hostile = createStackParser({
      normalizeFilename: () => {
        throw new Error('nope');
      },
      isInApp: () => {
        throw new Error('nope');
      },
    });
    expect(hostile(stack)).toHaveLength(2);
    expect(hostile(stack)[0]).toMatchObject({ filename: '/srv/app/src/b.js', in_app: false });
  });

  it('reads each line once, and hands out frames that later steps may change without effect on the next stack', () => {
    const read: string[] = [];
    const counting = createStackParser({ isInApp: (filename) => (read.push(filename), true) });
    const stack = (message: string): string => `Error: ${message}\n    at a (/app/a.js:1:1)\n    at b (/app/b.js:2:2)`;
    const first = counting(stack('one'));
    first[1]!.pre_context = ['changed'];
    first[1]!.function = 'changed';
    const second = counting(stack('two'));
    expect(second).toEqual([
      { filename: '/app/b.js', function: 'b', lineno: 2, colno: 2, in_app: true },
      { filename: '/app/a.js', function: 'a', lineno: 1, colno: 1, in_app: true },
    ]);
    expect(read).toEqual(['/app/a.js', '/app/b.js']);
  });

  it('keeps at most a bounded number of lines, reading again a line it let go', () => {
    const read: string[] = [];
    const counting = createStackParser({ isInApp: (filename) => (read.push(filename), true) });
    for (let i = 0; i < 300; i++) counting(`Error\n    at f (/app/file${i}.js:1:1)`);
    counting('Error\n    at f (/app/file299.js:1:1)');
    expect(read).toHaveLength(300);
    expect(counting('Error\n    at f (/app/file0.js:1:1)')).toEqual([{ filename: '/app/file0.js', function: 'f', lineno: 1, colno: 1, in_app: true }]);
    expect(read).toHaveLength(301);
  });

  it('stays quick on a huge or hostile stack string', () => {
    const longLine = '@'.repeat(1_000) + ' :1';
    const stack = `Error: x\n${`${longLine}\n`.repeat(20_000)}${'x'.repeat(5_000_000)}\n    at real (/app/src/r.js:1:1)`;
    const frames = parse(stack);
    expect(frames.map((frame) => frame.function)).toEqual(['real']);
    // Lines that make error-stack-parser's Firefox reader backtrack for minutes.
    const quotes = Array.from({ length: 60 }, (_, i) => (i % 2 ? '"'.repeat(1000) : `${'"a'.repeat(400)}@x`) + ':1').join('\n');
    expect(parse(quotes).length).toBe(STACKTRACE_FRAME_LIMIT);
  });

  it('parses Safari frames without a function name or with quoted names', () => {
    expect(parse('https://shop.example/app.js:7:3')).toEqual([
      { filename: 'https://shop.example/app.js', function: '?', lineno: 7, colno: 3, in_app: true },
    ]);
    expect(parse('Object["a b"]@https://shop.example/app.js:1:2')[0]).toMatchObject({ function: 'Object["a b"]', lineno: 1 });
  });
});

describe('defaultIsInApp', () => {
  it('counts node internals, dependencies and native code out', () => {
    expect(defaultIsInApp('/app/src/index.js')).toBe(true);
    expect(defaultIsInApp('https://example.com/app.js')).toBe(true);
    expect(defaultIsInApp('node:fs')).toBe(false);
    expect(defaultIsInApp('internal/process/task_queues')).toBe(false);
    expect(defaultIsInApp('/app/node_modules/express/lib/router.js')).toBe(false);
    expect(defaultIsInApp('C:\\app\\node_modules\\x\\y.js')).toBe(false);
    expect(defaultIsInApp('native')).toBe(false);
  });
});
