// A crash while loading, after the app set an exit code of its own.
if (process.env.WITH_FAULTLINE) require('@faultline/node').init();

process.exitCode = 42;
throw new Error('crash at load time');
