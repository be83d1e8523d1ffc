// Release checks: what `npm publish` would ship, used the way a user would use it. Every publishable
// package is packed with `npm pack`, the tarballs are installed into a fresh app outside the workspace
// (no workspace links, the framework peers from the registry), and the app runs as CommonJS and as
// ESM against a real receiver and type-checks against the published declarations.
// FAULTLINE_RELEASE_KEEP=1 keeps the temporary folder (its path is printed) to look into a failure.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver, type SentryEvent } from '@faultline/testkit';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('app', import.meta.url));

// What the app takes from the registry besides the tarballs: the frameworks it runs or type-checks
// against and their types, at the versions the workspace was tested with (already in npm's cache).
const REGISTRY_DEPENDENCIES = ['express', 'koa', 'fastify', 'react', '@types/node', '@types/react', '@types/express', '@types/koa'];
const PEERS: Record<string, string> = {
  '@faultline/express': 'express',
  '@faultline/koa': 'koa',
  '@faultline/fastify': 'fastify',
  '@faultline/react': 'react',
};
// Never in a tarball: sources, tests, build configuration, dotfiles, nested installs.
const UNWANTED = [
  /^src\//,
  /(^|\/)(test|tests|__tests__)\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)tsconfig[^/]*\.json$/,
  /\.tsbuildinfo$/,
  /(?<!\.d)\.[cm]?tsx?$/,
  /(^|\/)\./,
  /(^|\/)node_modules\//,
  /\.tgz$/,
];

interface Packed {
  name: string;
  version: string;
  filename: string;
  files: string[];
  /** The package.json as packed. */
  manifest: Manifest;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: error && !stderr ? String(error) : stderr });
    });
  });
}

// `npm test` hands the workspace's npm config to child processes as npm_* variables, and an `npm install`
// in the app would take them as its own (the workspace's legacy-peer-deps, for one, which a user's app
// does not have). Keep only the ones that say where the registry and the cache are.
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = /^npm_config_(cache|userconfig|globalconfig|registry|cafile|strict_ssl|https?_proxy|proxy|noproxy)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.test(key)));
  delete env.INIT_CWD;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

function expectSuccess(result: Run, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

/** Specifiers of `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`. */
function importsOf(code: string): string[] {
  const found = new Set<string>();
  const pattern = /\b(?:from|import)\s*['"]([^'"\s]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"\s]+)['"]\s*\)/g;
  for (const match of code.matchAll(pattern)) {
    found.add(match[1] ?? match[2] ?? '');
  }
  return [...found];
}

/** Every file path named in `exports`, at any depth of conditions. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

const relative = (file: string): string => file.replace(/^\.\//, '');

const sourceMapOf = (code: string): string | undefined => /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code)?.[1];

/** The packed files that the entry points load: modules, declarations and their source maps. */
function reachable(entries: string[], has: Set<string>, unpacked: string): Set<string> {
  const reached = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (reached.has(file) || !has.has(file)) continue;
    reached.add(file);
    if (!/\.[cm]?js$|\.d\.[cm]?ts$/.test(file)) continue;
    const code = readFileSync(path.join(unpacked, file), 'utf8');
    const dir = path.posix.dirname(file);
    for (const specifier of importsOf(code).filter((name) => name.startsWith('.'))) {
      const target = path.posix.join(dir, specifier);
      // A declaration names another by the module it describes, or with no extension.
      queue.push(target, `${target}.d.ts`, `${target}.d.mts`, `${target}.d.cts`, target.replace(/\.([cm]?)js$/, '.d.$1ts'));
    }
    const map = sourceMapOf(code);
    if (map) queue.push(path.posix.join(dir, map));
  }
  return reached;
}

/** What is wrong with one packed package, as sentences; empty when nothing is. */
function problemsOf(packed: Packed, unpacked: string): string[] {
  const { manifest, files } = packed;
  const problems: string[] = [];
  const has = new Set(files);
  const say = (problem: string): void => {
    problems.push(`${packed.name}: ${problem}`);
  };

  for (const field of ['license', 'main', 'module', 'types'] as const) if (!manifest[field]) say(`no "${field}"`);
  if (!manifest.engines?.node) say('no "engines.node"');
  // An npm page without a README is empty, and MIT asks for its text to travel with the code.
  for (const file of ['README.md', 'LICENSE']) if (!has.has(file)) say(`does not pack ${file}`);
  const targets = [manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin ?? {}), ...exportTargets(manifest.exports)];
  for (const target of targets) if (target && !has.has(relative(target))) say(`${target} is named in package.json but not packed`);

  const dot = manifest.exports?.['.'] as Record<string, Record<string, string>> | undefined;
  for (const [condition, types, code] of [['import', '.d.mts', '.mjs'], ['require', '.d.cts', '.cjs']] as const) {
    const entry = dot?.[condition];
    if (!entry) {
      say(`exports["."] has no "${condition}" condition`);
      continue;
    }
    // TypeScript takes the first condition that matches, so "types" must come before "default".
    if (Object.keys(entry)[0] !== 'types') say(`exports["."].${condition} does not list "types" first`);
    if (!entry.types?.endsWith(types)) say(`exports["."].${condition}.types is not a ${types} file`);
    if (!entry.default?.endsWith(code)) say(`exports["."].${condition}.default is not a ${code} file`);
  }

  for (const file of files) if (UNWANTED.some((pattern) => pattern.test(file))) say(`packs ${file}`);

  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  for (const file of files.filter((name) => /\.[cm]?js$/.test(name))) {
    // Dependencies built into our files (rollup.config.mjs: "inline", and the CDN bundles) keep their
    // licences in a notices file.
    const notices = /^\/\*!.* licence texts in (\S+)\. \*\//.exec(readFileSync(path.join(unpacked, file), 'utf8'))?.[1];
    if (notices && !has.has(notices)) say(`${file} contains other packages' code, but their licences (${notices}) are not packed`);
  }
  for (const file of files) {
    const isModule = /\.[cm]?js$/.test(file) && !file.startsWith('build/bundles/');
    const isDeclaration = /\.d\.[cm]?ts$/.test(file);
    if (!isModule && !isDeclaration) continue;
    const code = readFileSync(path.join(unpacked, file), 'utf8');
    for (const specifier of importsOf(code)) {
      if (specifier.startsWith('.')) {
        // A declaration's relative imports leave the extension to TypeScript; a module's cannot.
        const target = path.posix.join(path.posix.dirname(file), specifier);
        if (isModule && !has.has(target)) say(`${file} imports ${specifier}, which is not packed`);
      } else if (!isBuiltin(specifier) && !declared.has(packageName(specifier))) {
        say(`${file} imports ${specifier}, which is not a dependency`);
      }
    }
    const map = sourceMapOf(code);
    if (map && !map.startsWith('data:') && !has.has(path.posix.join(path.posix.dirname(file), map))) {
      say(`${file} points to the source map ${map}, which is not packed`);
    }
  }
  // The sources are not published, so a map that only names them leaves debuggers and bundlers
  // (Vite warns) pointing at missing files.
  for (const file of files.filter((name) => name.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(path.join(unpacked, file), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
    if (map.sources.some((_source, i) => typeof map.sourcesContent?.[i] !== 'string')) say(`${file} lacks the text of its sources`);
  }
  // Whatever an earlier build left in dist/ and no entry point loads would be published too.
  const reached = reachable(targets.filter((target): target is string => target !== undefined).map(relative), has, unpacked);
  for (const file of files) if (file.startsWith('dist/') && !reached.has(file)) say(`packs ${file}, which no entry point reaches`);

  const peer = PEERS[packed.name];
  if (peer && !manifest.peerDependencies?.[peer]) say(`does not declare ${peer} as a peer dependency`);
  return problems;
}

function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as Manifest).version;
  } catch {
    return '*';
  }
}

/**
 * Type errors in the app's own files and in the published Faultline declarations, as `tsc -p <project>`
 * would print them. Only those files are checked, strictly and with `skipLibCheck` off, so that a
 * mistake in our `.d.ts` counts while other packages' declarations are not checked through: they are
 * theirs, and checking all of `@types/node`, React's types and the DOM library would take most of a
 * minute (`@types/koa` does not even check against `content-disposition`'s own types today).
 */
function typeErrors(project: string): string {
  const config = ts.getParsedCommandLineOfConfigFile(project, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) return `cannot read ${project}`;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const ours = program.getSourceFiles().filter((file) => !file.fileName.includes('/node_modules/') || file.fileName.includes('/node_modules/@faultline/'));
  const diagnostics = [
    ...config.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => path.dirname(project), getNewLine: () => '\n' });
}

describe('the published packages', () => {
  let work: string;
  let app: string;
  let receiver: Receiver;
  const packed = new Map<string, Packed>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'faultline-release-'));
    app = path.join(work, 'app');
    const tarballs = path.join(work, 'tarballs');
    mkdirSync(tarballs);
    receiver = await startReceiver();

    const dirs = readdirSync(path.join(root, 'packages')).filter((name) => {
      try {
        return !(JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')) as Manifest).private;
      } catch {
        return false;
      }
    });
    const workspaces = dirs.flatMap((name) => ['-w', `packages/${name}`]);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...workspaces], root);
    expectSuccess(pack, 'npm pack');
    for (const entry of JSON.parse(pack.stdout) as Array<{ name: string; version: string; filename: string; files: Array<{ path: string }> }>) {
      packed.set(entry.name, { ...entry, files: entry.files.map((file) => file.path), manifest: { name: entry.name, version: entry.version } });
    }

    cpSync(fixtures, app, { recursive: true });
    // One source per kind of code, checked both as CommonJS and as ESM.
    for (const name of ['server', 'browser']) for (const ext of ['cts', 'mts']) cpSync(path.join(fixtures, `${name}.ts`), path.join(app, `${name}.${ext}`));
    const dependencies = Object.fromEntries([
      ...[...packed.values()].map((entry) => [entry.name, `file:${path.join(tarballs, entry.filename)}`]),
      ...REGISTRY_DEPENDENCIES.map((name) => [name, installedVersion(name)]),
    ]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'faultline-release-check', version: '1.0.0', private: true, dependencies }, null, 2));
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--no-update-notifier', '--loglevel=error'],
      app,
      cleanEnv(),
      240_000,
    );
    expectSuccess(install, 'npm install of the tarballs');
    for (const entry of packed.values()) {
      const unpacked = path.join(app, 'node_modules', entry.name);
      entry.manifest = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as Manifest;
    }
    if (process.env.FAULTLINE_RELEASE_KEEP) console.log(`[release] the app is in ${app}`);
  }, 300_000);

  afterAll(async () => {
    await receiver?.close();
    if (work && !process.env.FAULTLINE_RELEASE_KEEP) rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.reset();
  });

  const node = (script: string, args: string[] = []): Promise<Run> =>
    run(process.execPath, [script, ...args], app, cleanEnv({ FAULTLINE_DSN: receiver.dsn() }), 30_000);

  function expectValidNodeEvent(event: SentryEvent | undefined, message: string, script: string): void {
    expect(receiver.violations()).toEqual([]);
    expect(event).toMatchObject({
      platform: 'node',
      release: 'release-check@1.0.0',
      sdk: { name: 'faultline.javascript.node', version: packed.get('@faultline/node')?.version },
      exception: { values: [{ type: 'Error', value: message }] },
    });
    const frames = event?.exception?.values?.[0]?.stacktrace?.frames ?? [];
    // The innermost frame is the app's own line, with its source read from disk.
    expect(frames.at(-1)).toMatchObject({ filename: expect.stringContaining(script), in_app: true, context_line: expect.stringContaining(message) });
  }

  it('packs every package with its entry points and declarations, its dependencies declared, and nothing else', () => {
    expect([...packed.keys()].sort()).toEqual(
      expect.arrayContaining(['browser', 'core', 'express', 'fastify', 'koa', 'node', 'react', 'testkit'].map((name) => `@faultline/${name}`)),
    );
    const problems = [...packed.values()].flatMap((entry) => problemsOf(entry, path.join(app, 'node_modules', entry.name)));
    expect(problems).toEqual([]);
  });

  it('ships the browser ESM entry, the CDN bundles with a matching integrity value, and the loader', () => {
    const files = packed.get('@faultline/browser')?.files ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/esm/index.mjs',
        'build/bundles/faultline.js',
        'build/bundles/faultline.min.js',
        'build/bundles/faultline.min.js.sri',
        'build/bundles/faultline.debug.min.js',
        'loader.js',
      ]),
    );
    const bundles = path.join(app, 'node_modules/@faultline/browser/build/bundles');
    const integrity = `sha384-${createHash('sha384').update(readFileSync(path.join(bundles, 'faultline.min.js'))).digest('base64')}`;
    expect(readFileSync(path.join(bundles, 'faultline.min.js.sri'), 'utf8').trim()).toBe(integrity);
  });

  it('loads every package with require and with import, with the same exports', async () => {
    const names = [...packed.keys()];
    const [required, imported] = await Promise.all([node('exports.cjs', names), node('exports.mjs', names)]);
    expectSuccess(required, 'require of every package');
    expectSuccess(imported, 'import of every package');
    const cjs = JSON.parse(required.stdout) as Record<string, { file: string; exports: string[] }>;
    const esm = JSON.parse(imported.stdout) as Record<string, { file: string; exports: string[] }>;
    for (const name of names) {
      expect(cjs[name]?.file, name).toMatch(/\/dist\/cjs\/index\.cjs$/);
      // Core's ES module build for Node is in dist/node (its dist/esm is for bundlers).
      expect(esm[name]?.file, name).toMatch(/\/dist\/(esm|node)\/index\.mjs$/);
      expect(cjs[name]?.exports.length, name).toBeGreaterThan(0);
      expect(esm[name]?.exports, name).toEqual(cjs[name]?.exports);
    }
  });

  it('runs the testkit CLI from its bin link', async () => {
    const result = await run(path.join(app, 'node_modules/.bin/faultline-inbox'), ['--help'], app);
    expectSuccess(result, 'faultline-inbox --help');
    expect(result.stdout).toMatch(/faultline-inbox/);
  });

  it('reports an error from a CommonJS app', async () => {
    expectSuccess(await node('capture.cjs'), 'the CommonJS app');
    const [event] = await receiver.waitForEvents(1);
    expectValidNodeEvent(event, 'captured from CommonJS', 'capture.cjs');
    expect(event?.tags).toMatchObject({ module: 'commonjs' });
  });

  it('reports an error from an ESM app', async () => {
    expectSuccess(await node('capture.mjs'), 'the ESM app');
    const [event] = await receiver.waitForEvents(1);
    expectValidNodeEvent(event, 'captured from ESM', 'capture.mjs');
    expect(event?.tags).toMatchObject({ module: 'esm' });
  });

  it('reports a request error from an Express app through @faultline/express', async () => {
    const result = await node('express.cjs');
    expectSuccess(result, 'the Express app');
    const seen = JSON.parse(result.stdout) as { status: number; eventId: string; body: { supportCode: string } };
    const [event] = await receiver.waitForEvents(1);
    expect(receiver.violations()).toEqual([]);
    expect(seen).toEqual({ status: 500, eventId: event?.event_id, body: { supportCode: event?.event_id } });
    expect(event).toMatchObject({
      transaction: 'GET /orders/:id',
      exception: { values: [{ value: 'order lookup failed', mechanism: { type: 'express', handled: false } }] },
      request: { method: 'GET', url: expect.stringContaining('/orders/42') },
    });
    expect(JSON.stringify(event)).not.toContain('hunter2');
  });

  it('type-checks CommonJS and ESM code against the published declarations (strict; nodenext and bundler)', () => {
    // Server code with Node's types and no DOM; browser code with the DOM and no Node types, also as a
    // bundler (Vite, webpack) resolves it.
    const projects = ['tsconfig.server.json', 'tsconfig.browser.json', 'tsconfig.bundler.json'];
    expect(projects.map((project) => typeErrors(path.join(app, project)))).toEqual(projects.map(() => ''));
  }, 60_000);
});
