// One build for every package. Each package.json says what it wants under "faultline.build":
//   { "entries": ["index", "cli"], "bundles": [{ "input": "src/cdn.ts", "name": "faultline" }] }
// npm packages get ESM (.mjs) and CJS (.cjs), and one bundled .d.mts/.d.cts per entry: the Node-side
// ones one file per entry (every file is a resolve, read and compile at start-up), the browser-side
// ones with preserveModules (bundlers that drop whole unused modules do best with those). CDN bundles
// are IIFEs in build/bundles/ (.js, .min.js without debug logging, .debug.min.js) plus a .min.js.sri
// file with the sha384 integrity value.
// "inline": ["dep", …] builds those dependencies into the package's own files, with a banner naming the
// notices file that carries their licences (THIRD-PARTY-NOTICES.md).
// "deferred": ["module", …] moves those modules of a Node-side package's builds into a file loaded on
// first use (see deferredConfig); "nodeEsm": "dist/node" puts the ES module build that does so there,
// for the "node" condition of the package's exports, and keeps dist/esm one file for everyone else.
// FAULTLINE_PACKAGES=core,node limits the build to some packages.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

const only = process.env.FAULTLINE_PACKAGES?.split(',').filter(Boolean);
const order = ['core', 'testkit', 'node', 'browser']; // dependencies before dependents
const names = readdirSync('packages')
  .filter((name) => existsSync(`packages/${name}/package.json`))
  .filter((name) => !only || only.includes(name))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

function rank(name) {
  const i = order.indexOf(name);
  return i === -1 ? order.length : i;
}

const PER_MODULE_PACKAGES = ['browser', 'react'];

const isExternal = (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('\0');

function defines(pkg, debug) {
  return replace({
    preventAssignment: true,
    values: { __FAULTLINE_VERSION__: JSON.stringify(pkg.version), __DEBUG_BUILD__: String(debug) },
  });
}

function packageConfigs(name) {
  const dir = `packages/${name}`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  const build = pkg.faultline?.build ?? {};
  const entries = build.entries ?? ['index'];
  const input = Object.fromEntries(entries.map((e) => [e, `${dir}/src/${e}.ts`]));
  const inlined = inlining(dir, build.inline ?? []);
  const ts = () =>
    typescript({
      tsconfig: `${dir}/tsconfig.json`,
      include: [`${dir}/src/**/*.ts`, `${dir}/src/**/*.tsx`, 'globals.d.ts', `${dir}/*.d.ts`],
      declaration: false,
      declarationMap: false,
      sourceMap: true,
      inlineSources: true,
      outDir: undefined,
      noEmitOnError: true,
    });
  const layout = (ext) =>
    PER_MODULE_PACKAGES.includes(name)
      ? { preserveModules: true, preserveModulesRoot: `${dir}/src`, entryFileNames: `[name].${ext}` }
      : { entryFileNames: `[name].${ext}`, chunkFileNames: `[name].${ext}` };
  const esm = { dir: `${dir}/dist/esm`, format: 'es', ...layout('mjs'), banner: inlined.banner, sourcemap: true, plugins: [removeStaleFiles()] };
  const cjs = { dir: `${dir}/dist/cjs`, format: 'cjs', ...layout('cjs'), banner: inlined.banner, exports: 'named', sourcemap: true, plugins: [removeStaleFiles()] };
  // Fresh plugins for each build (ESM and CJS are two or three when the builds defer modules). Only
  // the ES module build for Node loads code with `import()`: the others do without core's
  // deferred-code.ts.
  const code = (loadsLater = false) => ({
    input,
    external: inlined.external,
    plugins: [...(loadsLater ? [] : [noDeferredCode()]), defines(pkg, true), ts(), ...inlining(dir, build.inline ?? []).plugins],
  });
  const deferred = (output) => deferredConfig(dir, pkg.name, input, build, { ...code(output.format === 'es'), output });
  const configs = [
    ...(build.deferred
      ? [
          ...(build.nodeEsm ? [{ ...code(), output: esm }, deferred({ ...esm, dir: `${dir}/${build.nodeEsm}` })] : [deferred(esm)]),
          deferred(cjs),
        ]
      : [{ ...code(), output: [esm, cjs] }]),
    {
      input,
      external: isExternal,
      plugins: [dts({ tsconfig: `${dir}/tsconfig.json` })],
      output: [
        { dir: `${dir}/dist/types`, format: 'es', entryFileNames: '[name].d.mts' },
        { dir: `${dir}/dist/types`, format: 'es', entryFileNames: '[name].d.cts' },
      ],
    },
  ];
  for (const bundle of build.bundles ?? []) configs.push(...cdnConfigs(dir, pkg, bundle));
  return configs;
}

// "deferred": ["exception", "transport/sender", …] names modules of src/ (in a package with one entry)
// whose code the Node-side builds put in a file of their own, deferred.cjs and deferred.mjs, loaded when
// first needed. Start-up (`require` or `import`, and `init`) then compiles only the code it runs, and
// the code only events need (building, bounding, serializing and sending them) is compiled with the
// first event: compiling the 240 KB of both packages was the largest part of what start-up cost
// (profiled; issue 6). The other modules reach a deferred module's functions through stand-ins that
// call into the loaded file; importing anything else of it (a constant, a class) fails the build.
// CommonJS loads it synchronously (`require`), on the stand-ins' first call. An ES module cannot: its
// loader registers with core's deferred-code.ts, and the client, before it builds an event, has all
// the packages' deferred code loaded with `import()` (a capture takes the time and the scopes at the
// call; the event is built once the code is there). A stand-in called before that throws.
const DEFERRED = 'deferred';
const DEFERRED_ENTRY = '\0faultline-deferred-entry';
const LOADER = '\0faultline-deferred-loader';
const STAND_IN = '\0faultline-deferred:';
// Where the ES module loaders register (core's own from its source, the others through core's exports).
const REGISTRY = { package: '@faultline/core', file: path.resolve('packages/core/src/deferred-code.ts') };
// The file is also loaded in the background a few seconds after start-up, so that a process running
// long does not have to read it at its first error, when the files on disk may be another version (a
// deploy) or unreadable (no file descriptors left).
const PRELOAD_AFTER_MS = 3000;
const LOADER_SOURCE = {
  cjs: () => `let loaded;
export function deferred() {
  return (loaded ??= require('./${DEFERRED}.cjs'));
}
const preload = setTimeout(() => {
  try {
    deferred();
  } catch {
    // The first call that needs it tries again; the capture then reports what failed.
  }
}, ${PRELOAD_AFTER_MS});
preload.unref?.();
`,
  es: (registry) => `import { deferredCodeLoading, registerDeferredCode } from ${JSON.stringify(registry)};
let loaded;
export function deferred() {
  if (loaded === undefined) throw new Error('Faultline: ${DEFERRED}.mjs is not loaded yet (deferredCodeLoading)');
  return loaded;
}
registerDeferredCode(() => import(${JSON.stringify(DEFERRED_ENTRY)}).then((code) => {
  loaded = code;
}));
const preload = setTimeout(() => {
  // The first event tries again; its capture then reports what failed.
  deferredCodeLoading()?.catch(() => undefined);
}, ${PRELOAD_AFTER_MS});
preload.unref?.();
`,
};

// Core's deferred-code.ts for the builds whose code is all there when it runs: the CommonJS ones
// (`require` on first use), the one-file ES module builds, the CDN bundles. Nothing registers there,
// so the client's checks for code still loading fold away when minified (the CDN bundle stays as
// small as it was).
const NO_DEFERRED_CODE = '\0faultline-no-deferred-code';

function noDeferredCode() {
  return {
    name: 'faultline-no-deferred-code',
    resolveId(source, importer) {
      const isRegistry = importer && source.startsWith('.') && path.resolve(path.dirname(importer), `${source}.ts`) === REGISTRY.file;
      return isRegistry ? NO_DEFERRED_CODE : null;
    },
    load(id) {
      if (id !== NO_DEFERRED_CODE) return null;
      return `export function registerDeferredCode() {}
export function deferredCodeLoading() {
  return undefined;
}
export function transportWhenLoaded(factory) {
  return factory;
}
`;
    },
  };
}

function deferredConfig(dir, name, input, build, config) {
  const entries = Object.keys(input);
  if (entries.length !== 1) throw new Error(`${dir}: "deferred" needs a package with one entry`);
  const { format } = config.output;
  const loader = LOADER_SOURCE[format](name === REGISTRY.package ? REGISTRY.file : REGISTRY.package);
  const files = build.deferred.map((module) => path.resolve(dir, 'src', `${module}.ts`));
  return {
    ...config,
    input: { ...input, [DEFERRED]: DEFERRED_ENTRY },
    plugins: [deferring(files, loader, format === 'es' ? (build.deferredFactories ?? []) : []), ...config.plugins],
    // The start-up code goes in startup.cjs (.mjs), which the entry file re-exports: deferred.cjs uses
    // parts of it that the package does not export.
    output: { ...config.output, manualChunks: startupChunk(path.resolve(input[entries[0]])) },
  };
}

// "deferredFactories": ["createStackParser"] names functions of deferred modules that make a function
// which is called only once the code is loaded (a stack parser runs while an event is built), but which
// themselves may be called before: at start-up, or when another package is imported (the browser
// package makes its stack parser at the top of a module, and is imported on servers that render pages).
// Their ES module stand-ins return a function that makes the real one on its first call.
function deferring(files, loaderSource, factories) {
  const key = (file) => `m${files.indexOf(file)}`;
  return {
    name: 'faultline-deferred',
    async resolveId(source, importer, options) {
      if (source === DEFERRED_ENTRY || source === LOADER) return source;
      if (!importer || importer === DEFERRED_ENTRY || importer.startsWith(STAND_IN) || files.includes(importer)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && files.includes(resolved.id) ? `${STAND_IN}${resolved.id}` : null;
    },
    async load(id) {
      if (id === DEFERRED_ENTRY) return files.map((file) => `export * as ${key(file)} from ${JSON.stringify(file)};`).join('\n');
      if (id === LOADER) return loaderSource;
      if (!id.startsWith(STAND_IN)) return null;
      const file = id.slice(STAND_IN.length);
      const { exports } = await this.load({ id: file });
      const call = (name) => `deferred().${key(file)}.${name}(...args)`;
      const standIn = (name) =>
        factories.includes(name)
          ? `export function ${name}(...args) {\n  let made;\n  return (...madeArgs) => (made ??= ${call(name)})(...madeArgs);\n}`
          : `export function ${name}(...args) {\n  return ${call(name)};\n}`;
      return [`import { deferred } from '${LOADER}';`, ...exports.filter((name) => name !== 'default').map(standIn)].join('\n');
    },
    // Each stand-in left in the output must stand for a function that is not a class (checked on the
    // CommonJS build, which the ES module one mirrors).
    writeBundle(options, bundle) {
      if (options.format !== 'cjs') return;
      const requireBuilt = createRequire(path.resolve(options.dir, 'package.json'));
      for (const file of Object.keys(requireBuilt.cache)) if (file.startsWith(path.resolve(options.dir))) delete requireBuilt.cache[file];
      const built = requireBuilt(path.resolve(options.dir, `${DEFERRED}.cjs`));
      for (const chunk of Object.values(bundle)) {
        for (const [id, { renderedExports }] of Object.entries(chunk.modules ?? {})) {
          if (!id.startsWith(STAND_IN)) continue;
          const file = id.slice(STAND_IN.length);
          for (const name of renderedExports) {
            const value = built[key(file)][name];
            if (typeof value !== 'function' || /^class\b/.test(Function.prototype.toString.call(value))) {
              this.error(`${name} of ${file} is deferred but start-up code imports it, and it is not a function: keep the module out of "deferred"`);
            }
          }
        }
      }
    },
  };
}

// Puts every module that the entry reaches (through static imports: stand-ins do not import) in
// startup.cjs; the rest, which only the deferred modules reach, goes with them.
function startupChunk(entryFile) {
  let startup;
  return (id, { getModuleInfo }) => {
    if (!startup) {
      startup = new Set();
      const visit = (moduleId) => {
        if (startup.has(moduleId)) return;
        startup.add(moduleId);
        for (const imported of getModuleInfo(moduleId)?.importedIds ?? []) visit(imported);
      };
      visit(entryFile);
    }
    return startup.has(id) ? 'startup' : undefined;
  };
}

// Builds the named dependencies into the package's files instead of importing them. For Node this saves
// at start-up what loading them costs: error-stack-parser and stackframe are CommonJS, and an ES module
// importing CommonJS makes Node load its CommonJS loader and run cjs-module-lexer over the files.
const NOTICES = 'THIRD-PARTY-NOTICES.md';

function inlining(dir, names) {
  if (names.length === 0) return { external: isExternal, plugins: [], banner: undefined };
  const isInlined = (id) => names.some((name) => id === name || id.startsWith(`${name}/`));
  return {
    // node-resolve resolves the entries too ("packages/core/src/index.ts"), which look bare: no importer.
    external: (id, importer) => importer !== undefined && isExternal(id) && !isInlined(id),
    plugins: [resolve({ preferBuiltins: true }), commonjs()],
    banner: `/*! Contains ${contained(dir, names)}: licence texts in ${NOTICES}. */`,
  };
}

// "name version (licence)" of each package, checking that the package's notices file carries its licence
// (MIT asks for each licence to travel with the code).
function contained(dir, names, resolveFrom = dir) {
  const notices = readFileSync(`${dir}/${NOTICES}`, 'utf8');
  const requireFromPackage = createRequire(path.resolve(resolveFrom, 'package.json'));
  return names
    .map((name) => {
      if (!notices.includes(`## ${name}\n`)) throw new Error(`${dir}/${NOTICES} has no "## ${name}" section with its licence`);
      const { version, license } = requireFromPackage(`${name}/package.json`);
      return `${name} ${version} (${license})`;
    })
    .join(', ');
}

// Removes what an earlier build left in the output folder and this one did not write (the files of a
// preserveModules build), so that `npm pack` ships only what the entries load.
function removeStaleFiles() {
  return {
    name: 'faultline-remove-stale-files',
    writeBundle(options, bundle) {
      const entries = readdirSync(options.dir, { recursive: true, withFileTypes: true });
      for (const file of entries.filter((entry) => entry.isFile())) {
        const name = path.relative(options.dir, path.join(file.parentPath ?? file.path, file.name)).split(path.sep).join('/');
        if (!(name in bundle)) rmSync(path.join(options.dir, name));
      }
      // Deepest first, so a folder's emptied subfolders are gone before it is looked at.
      const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
      for (const folder of folders.sort((a, b) => b.length - a.length)) {
        if (readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
      }
    },
  };
}

function cdnConfigs(dir, pkg, { input, name, global }) {
  const out = `${dir}/build/bundles`;
  // The bundles carry core's error-stack-parser (stackframe is replaced by a stand-in of ours).
  const banner = `/*! Faultline ${pkg.version} (MIT). Contains ${contained(dir, ['error-stack-parser'], 'packages/core')}: licence texts in ${NOTICES}. */`;
  const base = (debug, min) => ({
    input: `${dir}/${input}`,
    plugins: [
      noDeferredCode(),
      defines(pkg, debug),
      workspaceSources(),
      standIns(),
      errorStackParserForCdn(),
      resolve({ browser: true }),
      commonjs(),
      typescript({
        tsconfig: `${dir}/tsconfig.json`,
        include: ['packages/*/src/**/*.ts', 'globals.d.ts'],
        // Pulls the sources of the bundled workspace packages into the program, to be compiled with it.
        paths: { '@faultline/*': [path.resolve('packages/*/src/index.ts')] },
        declaration: false,
        declarationMap: false,
        sourceMap: true,
        inlineSources: true,
        outDir: undefined,
        noEmitOnError: true,
      }),
    ],
    output: {
      file: `${out}/${name}${min ? (debug ? '.debug.min' : '.min') : ''}.js`,
      format: 'iife',
      name: global,
      banner,
      sourcemap: true,
      // Without debug, calls to the debug logger go whole, their message strings with them; reading a
      // property has no side effect in this code (pure_getters), so what those calls read goes too.
      plugins: min ? [terser({ compress: { passes: 2, pure_getters: true, pure_funcs: debug ? [] : ['logger.log', 'logger.warn', 'logger.error'] }, mangle: { properties: { regex: /^_[a-z]/ } } }), ...(debug ? [] : [sri()])] : [],
    },
  });
  return [base(true, false), base(false, true), base(true, true)];
}

// A CDN bundle compiles the workspace packages it contains (@faultline/core) from source, so that
// __DEBUG_BUILD__ is false in all of it (their dist/ was built with debug logging in).
function workspaceSources() {
  return {
    name: 'faultline-workspace-sources',
    resolveId(id) {
      const match = /^@faultline\/([a-z-]+)$/.exec(id);
      return match && existsSync(`packages/${match[1]}/src/index.ts`) ? path.resolve(`packages/${match[1]}/src/index.ts`) : null;
    },
  };
}

// Dependencies that CDN bundles replace with a smaller module doing what the bundle uses of them.
const STAND_INS = { stackframe: 'packages/browser/src/stack-frame-stand-in.mjs' };

function standIns() {
  return {
    name: 'faultline-stand-ins',
    resolveId: (id) => (Object.hasOwn(STAND_INS, id) ? path.resolve(STAND_INS[id]) : null),
  };
}

// error-stack-parser 3.0.0 for CDN bundles: an ES module (no UMD wrapper, no CommonJS interop) without
// its Opera 9-11 parsers, which `parse` reaches only for errors with `stacktrace` or
// `opera#sourceloc` (Presto, last released 2013). Its V8, SpiderMonkey and JavaScriptCore parsers stay
// as they are. The cut code is blanked rather than removed, so positions (and source maps) hold.
// Fails the build when the library's layout is not the one expected (a new version: look again).
function errorStackParserForCdn() {
  const blank = (text) => text.replace(/[^\n]/g, ' ');
  return {
    name: 'faultline-error-stack-parser',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/node_modules/error-stack-parser/error-stack-parser.js')) return null;
      const fail = (what) => this.error(`error-stack-parser is not laid out as expected (${what}); see errorStackParserForCdn`);
      // (function (root, factory) { ...UMD... }(this, function ErrorStackParser(StackFrame) { ... return {...}; }));
      const umd = this.parse(code).body[0]?.expression;
      const factory = umd?.arguments?.[1];
      if (umd?.type !== 'CallExpression' || factory?.id?.name !== 'ErrorStackParser') fail('UMD wrapper');
      const api = factory.body.body.at(-1)?.argument;
      const methods = api?.properties ?? [];
      const opera = methods.filter((method) => /^parseOpera/.test(method.key.name));
      const kept = methods.filter((method) => !opera.includes(method));
      const first = kept[0]?.value?.body?.body?.[0];
      if (opera.length !== 4 || kept.at(-1)?.key.name !== 'parseFFOrSafari' || kept[0].key.name !== 'parse' || !/parseOpera/.test(code.slice(first?.consequent?.start, first?.consequent?.end))) fail('Opera parsers');
      const cuts = [
        [first.start, first.alternate.start],
        [kept.at(-1).end, opera.at(-1).end],
      ];
      // The wrapper's lines, blank, hold the import and the export (lines stay where they were).
      const header = blank(code.slice(0, factory.start));
      const last = header.lastIndexOf('\n');
      let out = `import StackFrame from 'stackframe';${header.slice(header.indexOf('\n'), last)}export default (${header.slice(last)}`;
      let at = factory.start;
      for (const [start, end] of cuts) {
        out += code.slice(at, start) + blank(code.slice(start, end));
        at = end;
      }
      return { code: `${out}${code.slice(at, factory.end)})(StackFrame);\n`, map: null };
    },
  };
}

// Writes <file>.sri beside the minified bundle and reports its size.
function sri() {
  return {
    name: 'faultline-sri',
    generateBundle(options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const hash = createHash('sha384').update(chunk.code).digest('base64');
        this.emitFile({ type: 'asset', fileName: `${chunk.fileName}.sri`, source: `sha384-${hash}\n` });
        const gz = gzipSync(chunk.code, { level: 9 }).length;
        console.log(`${chunk.fileName}: ${chunk.code.length} bytes, ${gz} bytes gzipped`);
      }
    },
  };
}

export default names.flatMap(packageConfigs);
