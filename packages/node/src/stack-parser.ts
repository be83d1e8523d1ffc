import { createStackParser, type StackParser } from '@faultline/core';
import { dirname, isAbsolute, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// ESM frames name their file as a `file://` URL; CommonJS frames as a path.
export function filenameToPath(filename: string): string {
  if (!filename.startsWith('file://')) return filename;
  try {
    return fileURLToPath(filename);
  } catch {
    return filename;
  }
}

/** The app's own code: a real file (not `node:internal/…`, `<anonymous>`, `native`) outside node_modules. */
export function isInAppFilename(filename: string): boolean {
  const path = filenameToPath(filename);
  return isAbsolute(path) && !/[\\/]node_modules[\\/]/.test(path);
}

const SCRIPT_EXTENSION = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * Sentry's `module` for a file (createGetModuleFromFilename in @sentry/node): `pkg.dir:file` inside
 * node_modules, `dir.sub:file` below the app root, without extension, so it stays the same wherever
 * the app is installed and events group across machines.
 */
export function createModuleFromFilename(
  appRoot = process.argv[1] ? dirname(process.argv[1]) : process.cwd(),
  isWindows = sep === '\\',
): (filename: string) => string | undefined {
  const toPosix = (path: string): string => (isWindows ? path.replace(/^[a-zA-Z]:/, '').replace(/\\/g, '/') : path);
  const root = toPosix(appRoot).replace(/\/+$/, '');
  return (filename) => {
    const path = filenameToPath(filename);
    if (!(isWindows ? /^(?:[a-zA-Z]:)?[\\/]/.test(path) : path.startsWith('/'))) return undefined;
    const { dir, base } = posix.parse(toPosix(path));
    const file = base.replace(SCRIPT_EXTENSION, '');
    const packages = `${dir}/`.lastIndexOf('/node_modules/');
    if (packages !== -1) {
      const inPackage = dir.slice(packages + '/node_modules/'.length).replace(/\//g, '.');
      return inPackage ? `${inPackage}:${file}` : file;
    }
    if (dir === root || dir.startsWith(`${root}/`)) {
      const below = dir.slice(root.length + 1).replace(/\//g, '.');
      return below ? `${below}:${file}` : file;
    }
    return file;
  };
}

export const defaultStackParser: StackParser = createStackParser({
  isInApp: isInAppFilename,
  normalizeFilename: filenameToPath,
  moduleFromFilename: createModuleFromFilename(),
});
