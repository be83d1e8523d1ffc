import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startReceiver } from '@faultline/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../run-node';

// Start-up must do no work that can wait for the first event (issue 6: require + init within 15 ms
// of bare Node): the network, compression and crypto modules are loaded when something is sent.
// Here what start-up loads is checked, not how long it takes.
const LOADED_ON_FIRST_SEND = ['http', 'https', 'tls', 'net', 'zlib', 'crypto'];
// node:os (host name, temp dir) is loaded with the first event or the first use of the spool.
const LOADED_ON_FIRST_EVENT = ['os'];
// What an ES module's `import … from 'node:fs'` or 'node:util' loads, as Node's facade reads every
// export: the file streams (and the stream modules under them), parseArgs, MIMEType.
const LOADED_BY_ESM_FACADES = ['stream', 'internal/fs/streams', 'internal/util/parse_args/parse_args', 'internal/mime'];

const spoolDir = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

async function start(script: string): Promise<{ builtins: string[]; files?: string[] }> {
  const run = await runNode(join(__dirname, script), { env: { FAULTLINE_DSN: 'http://key@127.0.0.1:9/1', SPOOL_DIR: spoolDir } });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  const result = JSON.parse(run.stdout) as { builtins: string[]; files?: string[] };
  // "NativeModule internal/fs/promises" → "internal/fs/promises"
  return { ...result, builtins: result.builtins.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice('NativeModule '.length)) };
}

describe('start-up (require or import, then init)', () => {
  it('loads none of the modules only sending or the first event needs, nor fs/promises (CommonJS)', async () => {
    const { builtins } = await start('app.cjs');
    const later = [...LOADED_ON_FIRST_SEND, ...LOADED_ON_FIRST_EVENT, 'fs/promises', 'internal/fs/promises'];
    expect(builtins.filter((name) => later.includes(name))).toEqual([]);
  });

  it('loads none of the modules only sending or the first event needs, nor what facades of node:fs and node:util would (ES module)', async () => {
    const { builtins } = await start('app.mjs');
    const later = [...LOADED_ON_FIRST_SEND, ...LOADED_ON_FIRST_EVENT, ...LOADED_BY_ESM_FACADES];
    expect(builtins.filter((name) => later.includes(name))).toEqual([]);
  });

  it('loads no CommonJS from an ES module: neither a dependency file nor the lexer Node reads such files with', async () => {
    // An ES module importing CommonJS makes Node compile it through its CommonJS loader and scan it with
    // cjs-module-lexer for its export names: milliseconds of start-up, so dependencies are built in.
    const { builtins, files } = await start('app.mjs');
    expect(files).toEqual([]);
    expect(builtins.filter((name) => name.includes('cjs-module-lexer'))).toEqual([]);
  });

  it('reads the entry and start-up files of @faultline/node and @faultline/core, besides their dependencies', async () => {
    const { files } = await start('app.cjs');
    const ours = files!.filter((file) => /[\\/]packages[\\/](node|core)[\\/]/.test(file) || /@faultline[\\/]/.test(file));
    expect(ours.map((file) => file.split(/[\\/]/).slice(-4).join('/'))).toEqual([
      'node/dist/cjs/index.cjs',
      'core/dist/cjs/index.cjs',
      'core/dist/cjs/startup.cjs',
      'node/dist/cjs/startup.cjs',
    ]);
  });
});

// The CommonJS build loads the code only events need a few seconds after start-up (rollup.config.mjs).
const PRELOAD_AFTER_MS = 3000;
const ourDistFiles = (files: string[]): string[] => files.filter((file) => /[\\/](packages|@faultline)[\\/](node|core)[\\/]dist[\\/]cjs[\\/]/.test(file));
const distFolderFiles = (files: string[]): string[] =>
  [...new Set(files.map((file) => dirname(file)))].flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.cjs')).map((name) => join(folder, name)));

describe('the first event (CommonJS)', () => {
  it('brings the code only events need: start-up compiles less than half of the SDK, and the capture loads the rest at once', async () => {
    const receiver = await startReceiver();
    try {
      const run = await runNode(join(__dirname, 'first-event.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(1) } });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const { atStartup, afterCapture, sent } = JSON.parse(run.stdout) as { atStartup: string[]; afterCapture: string[]; sent: boolean };
      const all = distFolderFiles(ourDistFiles(atStartup));
      const bytes = (files: string[]): number => files.reduce((sum, file) => sum + statSync(file).size, 0);
      expect(new Set(all.map((file) => dirname(file))).size).toBe(2);
      expect(bytes(ourDistFiles(atStartup))).toBeLessThan(bytes(all) / 2);
      // Loaded by the capture call itself: it reads the stack and the scopes as it happens.
      expect(ourDistFiles(afterCapture).sort()).toEqual(all.sort());

      expect(sent).toBe(true);
      const [event] = receiver.events();
      expect(receiver.violations()).toEqual([]);
      expect(event?.exception?.values?.[0]).toMatchObject({ type: 'Error', value: 'the first event' });
      const frames = event!.exception!.values![0]!.stacktrace!.frames!;
      expect(frames.at(-1)).toMatchObject({ function: 'failingStep', in_app: true });
    } finally {
      await receiver.close();
    }
  });

  it('is loaded in the background a few seconds after start-up, so that a process running long does not read it at its first error', async () => {
    // By then the files on disk may be another version (a deploy) or unreadable (no file descriptors left).
    const run = await runNode(join(__dirname, 'preload.cjs'), { env: { FAULTLINE_DSN: 'http://key@127.0.0.1:9/1', WAIT_MS: String(PRELOAD_AFTER_MS + 500) } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { atStartup, later } = JSON.parse(run.stdout) as { atStartup: string[]; later: string[] };
    const all = distFolderFiles(ourDistFiles(atStartup));
    expect(ourDistFiles(atStartup).length).toBeLessThan(all.length);
    expect(ourDistFiles(later).sort()).toEqual(all.sort());
  });
});

// The ES module build cannot load code synchronously: it loads the code only events need with
// `import()`, with the first event or a few seconds after start-up (rollup.config.mjs). Which files
// load is seen through a loader hook (loaded-files.mjs).
const withLoadedFiles = ['--import', join(__dirname, 'loaded-files.mjs')];
const distPath = (file: string): string => file.split(/[\\/]/).slice(-4).join('/');
const ourEsmFiles = (files: string[]): string[] => files.filter((file) => /[\\/](packages|@faultline)[\\/](node|core)[\\/]dist[\\/]/.test(file)).map(distPath).sort();
// Core's ES module build for Node is in dist/node (its dist/esm, one file, is for bundlers).
const ALL_ESM_FILES = ['core/dist/node/deferred.mjs', 'core/dist/node/index.mjs', 'core/dist/node/startup.mjs', 'node/dist/esm/deferred.mjs', 'node/dist/esm/index.mjs', 'node/dist/esm/startup.mjs'];

describe('the first event (ES module)', () => {
  it('is built once the code only events need has loaded, with the scopes of the call: start-up loads none of that code', async () => {
    const receiver = await startReceiver();
    try {
      const run = await runNode(join(__dirname, 'first-event.mjs'), { nodeArgs: withLoadedFiles, env: { FAULTLINE_DSN: receiver.dsn(1) } });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const { atStartup, afterCapture, afterFlush, eventId, sent } = JSON.parse(run.stdout) as Record<string, string[]> & { eventId: string; sent: boolean };
      expect(ourEsmFiles(atStartup!)).toEqual(ALL_ESM_FILES.filter((file) => !file.endsWith('/deferred.mjs')));
      // The capture call returns before the code is there; the flush waits for it, and the event.
      expect(ourEsmFiles(afterCapture!)).toEqual(ourEsmFiles(atStartup!));
      expect(ourEsmFiles(afterFlush!)).toEqual(ALL_ESM_FILES);

      expect(sent).toBe(true);
      const [event] = receiver.events();
      expect(receiver.violations()).toEqual([]);
      expect(event).toMatchObject({ event_id: eventId, tags: { at: 'capture' } });
      expect(event?.exception?.values?.[0]).toMatchObject({ type: 'Error', value: 'the first event' });
      const frames = event!.exception!.values![0]!.stacktrace!.frames!;
      expect(frames.at(-1)).toMatchObject({ function: 'failingStep', in_app: true, filename: join(__dirname, 'first-event.mjs') });
    } finally {
      await receiver.close();
    }
  });

  it('that is an uncaught exception right after init is delivered before the process exits', async () => {
    const receiver = await startReceiver();
    try {
      const script = join(__dirname, 'crash.mjs');
      const run = await runNode(script, { nodeArgs: withLoadedFiles, env: { FAULTLINE_DSN: receiver.dsn(2) } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: right after init\n    at explode (file://');
      const [event] = receiver.events();
      expect(receiver.events()).toHaveLength(1);
      expect(receiver.violations()).toEqual([]);
      expect(event).toMatchObject({ level: 'fatal', release: 'crash@1.0.0' });
      expect(event?.exception?.values?.[0]).toMatchObject({ type: 'Error', value: 'right after init', mechanism: { handled: false } });
      const frames = event!.exception!.values![0]!.stacktrace!.frames!;
      expect(frames.filter((frame) => frame.in_app).map((frame) => [frame.filename, frame.function])).toEqual([
        [script, expect.any(String)],
        [script, 'explode'],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('is loaded in the background a few seconds after start-up, as in CommonJS', async () => {
    const run = await runNode(join(__dirname, 'preload.mjs'), {
      nodeArgs: withLoadedFiles,
      env: { FAULTLINE_DSN: 'http://key@127.0.0.1:9/1', WAIT_MS: String(PRELOAD_AFTER_MS + 500) },
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { atStartup, later } = JSON.parse(run.stdout) as { atStartup: string[]; later: string[] };
    expect(ourEsmFiles(atStartup)).toEqual(ALL_ESM_FILES.filter((file) => !file.endsWith('/deferred.mjs')));
    expect(ourEsmFiles(later)).toEqual(ALL_ESM_FILES);
  });
});
