// The same from an ES module; `import()` so that the lists are taken before the SDK loads. Node keeps
// the CommonJS files an ES module imports in the same cache as `require`.
import { createRequire } from 'node:module';

const cjsCache = createRequire(import.meta.url).cache;
const builtinsBefore = new Set(process.moduleLoadList);
const filesBefore = new Set(Object.keys(cjsCache));

const { init } = await import('@faultline/node');
init({ dsn: process.env.FAULTLINE_DSN, spoolDir: process.env.SPOOL_DIR });

const builtins = process.moduleLoadList.filter((name) => !builtinsBefore.has(name));
const files = Object.keys(cjsCache).filter((name) => !filesBefore.has(name));
process.stdout.write(JSON.stringify({ builtins, files }));
