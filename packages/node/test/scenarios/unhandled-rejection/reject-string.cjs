if (process.env.WITH_FAULTLINE) require('@faultline/node').init();

Promise.reject('not an error');
