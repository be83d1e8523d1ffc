import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLES_DIR = fileURLToPath(new URL('../../build/bundles/', import.meta.url));
export const PAGES_DIR = fileURLToPath(new URL('../pages/', import.meta.url));

/** The built CDN bundle's file, failing clearly when the build has not run. */
export function bundleFile(name = 'faultline.min.js'): string {
  const file = `${BUNDLES_DIR}${name}`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test builds it first)`);
  return file;
}

export function bundleIntegrity(): string {
  return readFileSync(bundleFile('faultline.min.js.sri'), 'utf8').trim();
}
