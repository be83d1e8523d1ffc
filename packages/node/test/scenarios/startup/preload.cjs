// Starts Faultline, then lives on without an error: prints which files were required at start-up and
// some seconds later.
const filesBefore = new Set(Object.keys(require.cache));
const loaded = () => Object.keys(require.cache).filter((name) => !filesBefore.has(name));

require('@faultline/node').init({ dsn: process.env.FAULTLINE_DSN, spoolDir: false });
const atStartup = loaded();
setTimeout(() => process.stdout.write(JSON.stringify({ atStartup, later: loaded() })), Number(process.env.WAIT_MS));
