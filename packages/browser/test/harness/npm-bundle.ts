import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';

/**
 * The npm package (its dist/esm, resolved from node_modules as an app's bundler would) bundled into
 * `<dir>/faultline.js`, a script that sets `window.Faultline`: for what only the npm package has
 * (the IndexedDB offline store), tested with the same pages as the CDN bundle. Returns the directory.
 */
export async function buildNpmBundle(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-npm-'));
  const bundle = await rollup({ input: '@faultline/browser', plugins: [resolve({ browser: true }), commonjs()], onwarn: () => undefined });
  try {
    await bundle.write({ file: path.join(dir, 'faultline.js'), format: 'iife', name: 'Faultline' });
  } finally {
    await bundle.close();
  }
  return dir;
}
