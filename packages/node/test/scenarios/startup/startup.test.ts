import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('reads one file for @faultline/node and one for @faultline/core, besides their dependencies', async () => {
    const { files } = await start('app.cjs');
    const ours = files!.filter((file) => /[\\/]packages[\\/](node|core)[\\/]/.test(file) || /@faultline[\\/]/.test(file));
    expect(ours.map((file) => file.split(/[\\/]/).slice(-4).join('/'))).toEqual(['node/dist/cjs/index.cjs', 'core/dist/cjs/index.cjs']);
  });
});
