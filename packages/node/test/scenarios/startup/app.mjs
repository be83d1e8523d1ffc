// The same from an ES module; `import()` so that the list is taken before the SDK loads.
const builtinsBefore = new Set(process.moduleLoadList);

const { init } = await import('@faultline/node');
init({ dsn: process.env.FAULTLINE_DSN, spoolDir: process.env.SPOOL_DIR });

const builtins = process.moduleLoadList.filter((name) => !builtinsBefore.has(name));
process.stdout.write(JSON.stringify({ builtins }));
