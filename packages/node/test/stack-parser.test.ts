import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultStackParser } from '@faultline/node';
import { createModuleFromFilename, filenameToPath, isInAppFilename } from '../src/stack-parser';

describe('defaultStackParser', () => {
  it('parses a real error of this file, innermost frame last, pointing at the line that made it', () => {
    const error = new Error('here');
    const frame = defaultStackParser(error.stack!).at(-1)!;
    expect(frame).toMatchObject({ filename: __filename, in_app: true });
    const source = readFileSync(__filename, 'utf8').split('\n')[frame.lineno! - 1]!;
    expect(source.slice(frame.colno! - 1)).toMatch(/^new Error\('here'\)/);
  });

  it('reports ESM file URLs as absolute paths and keeps the URL in abs_path', () => {
    const url = pathToFileURL('/srv/app/src/job.mjs').href;
    const [frame] = defaultStackParser(`Error: x\n    at run (${url}:3:7)`);
    expect(frame).toMatchObject({ filename: '/srv/app/src/job.mjs', abs_path: url, function: 'run', lineno: 3, colno: 7, in_app: true });
  });

  it('marks node_modules and Node internals as not in app', () => {
    const frames = defaultStackParser(
      [
        'Error: x',
        '    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        '    at new Promise (<anonymous>)',
        '    at main (/srv/app/index.js:1:1)',
      ].join('\n'),
    );
    expect(frames.map((f) => [f.function, f.in_app])).toEqual([
      ['main', true],
      ['process.processTicksAndRejections', false],
      ['Layer.handle', false],
    ]);
  });
});

describe('filenameToPath and isInAppFilename', () => {
  it('converts file URLs and leaves everything else as it is', () => {
    expect(filenameToPath('file:///a/b%20c.mjs')).toBe('/a/b c.mjs');
    expect(filenameToPath('node:fs')).toBe('node:fs');
    expect(filenameToPath('/a/b.js')).toBe('/a/b.js');
  });

  it('counts only real files outside node_modules as the app', () => {
    expect(isInAppFilename('/a/b.js')).toBe(true);
    expect(isInAppFilename('file:///a/b.mjs')).toBe(true);
    expect(isInAppFilename('/a/node_modules/x/index.js')).toBe(false);
    expect(isInAppFilename('node:internal/timers')).toBe(false);
    expect(isInAppFilename('internal/timers.js')).toBe(false);
    expect(isInAppFilename('<anonymous>')).toBe(false);
    expect(isInAppFilename('native')).toBe(false);
  });
});

describe('createModuleFromFilename', () => {
  const moduleOf = createModuleFromFilename('/srv/app', false);

  it('names app files by their folder below the app root, dotted, without extension', () => {
    expect(moduleOf('/srv/app/index.js')).toBe('index');
    expect(moduleOf('/srv/app/lib/jobs/send.mjs')).toBe('lib.jobs:send');
    expect(moduleOf('file:///srv/app/lib/a.cjs')).toBe('lib:a');
  });

  it('names package files by their path inside node_modules', () => {
    expect(moduleOf('/srv/app/node_modules/express/lib/router/layer.js')).toBe('express.lib.router:layer');
    expect(moduleOf('/srv/app/node_modules/@scope/pkg/dist/index.cjs')).toBe('@scope.pkg.dist:index');
    expect(moduleOf('/srv/app/node_modules/a/node_modules/b/x.js')).toBe('b:x');
  });

  it('uses the file name for files outside the app, and nothing for non-files', () => {
    expect(moduleOf('/usr/lib/other/tool.js')).toBe('tool');
    expect(moduleOf('node:internal/process/task_queues')).toBeUndefined();
    expect(moduleOf('<anonymous>')).toBeUndefined();
  });

  it('reads Windows paths', () => {
    const windows = createModuleFromFilename('C:\\srv\\app', true);
    expect(windows('C:\\srv\\app\\lib\\a.js')).toBe('lib:a');
    expect(windows('C:\\srv\\app\\node_modules\\pkg\\index.js')).toBe('pkg:index');
  });
});
