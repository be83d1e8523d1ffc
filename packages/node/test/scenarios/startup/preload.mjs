// preload.cjs as an ES module (run with `--import ./loaded-files.mjs`): starts Faultline, then lives on
// without an error: prints which files were loaded at start-up and some seconds later.
const filesBefore = new Set(globalThis.loadedFiles());
const loaded = () => globalThis.loadedFiles().filter((file) => !filesBefore.has(file));

const { init } = await import('@faultline/node');
init({ dsn: process.env.FAULTLINE_DSN, spoolDir: false });
const atStartup = loaded();
setTimeout(() => process.stdout.write(JSON.stringify({ atStartup, later: loaded() })), Number(process.env.WAIT_MS));
