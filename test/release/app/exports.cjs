// Prints, for each package named on the command line, the file `require` loads and its export names.
const loaded = {};
for (const name of process.argv.slice(2)) loaded[name] = { file: require.resolve(name), exports: Object.keys(require(name)).sort() };
console.log(JSON.stringify(loaded));
