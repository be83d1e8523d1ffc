// Prints, for each package named on the command line, the file `import` loads and its export names.
import { fileURLToPath } from 'node:url';

const loaded = {};
for (const name of process.argv.slice(2)) {
  const file = fileURLToPath(import.meta.resolve(name));
  loaded[name] = { file, exports: Object.keys(await import(name)).filter((key) => key !== 'default').sort() };
}
console.log(JSON.stringify(loaded));
