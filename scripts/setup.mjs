// Makes a fresh clone ready with nothing but Node and npm: installs dependencies when they are missing
// or older than the lock file, and builds the packages when any source is newer than the last build.
// `npm start` and `npm test` run it first; it does nothing when everything is up to date.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

const installed = path.join(root, 'node_modules/.package-lock.json');
if (mtime(installed) < mtime(path.join(root, 'package-lock.json'))) {
  // Not `npm ci`: see .ci/run for why the lock cannot satisfy it on every registry.
  console.log('[setup] installing dependencies (npm install)');
  run('npm install --no-audit --no-fund');
}

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const stamp = path.join(root, 'node_modules/.faultline-build-stamp');
const packages = readdirSync(path.join(root, 'packages')).map((name) => path.join(root, 'packages', name));
const sources = Math.max(
  mtime(path.join(root, 'rollup.config.mjs')),
  ...packages.flatMap((dir) => [mtime(path.join(dir, 'package.json')), existsSync(path.join(dir, 'src')) ? newest(path.join(dir, 'src')) : 0]),
);
const missing = packages.some((dir) => existsSync(path.join(dir, 'src')) && !existsSync(path.join(dir, 'dist')));
if (missing || mtime(stamp) < sources) {
  console.log('[setup] building packages (rollup)');
  run('npx rollup -c --silent');
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
