// Starts Faultline as an app would, then prints what that loaded: Node's own modules (taken before
// anything is printed, as writing to a pipe loads node:net) and the files required.
const builtinsBefore = new Set(process.moduleLoadList);
const filesBefore = new Set(Object.keys(require.cache));

require('@faultline/node').init({ dsn: process.env.FAULTLINE_DSN, spoolDir: process.env.SPOOL_DIR });

const builtins = process.moduleLoadList.filter((name) => !builtinsBefore.has(name));
const files = Object.keys(require.cache).filter((name) => !filesBefore.has(name));
process.stdout.write(JSON.stringify({ builtins, files }));
