// The same SDK from an ES module: frames name files by path, not by file:// URL.
import { captureException, init } from '@faultline/node';

init({ release: 'esm@1.0.0' });

function parseInput(text) {
  return JSON.parse(text);
}

try {
  parseInput('{ broken');
} catch (error) {
  captureException(error);
}

if (process.env.CRASH) {
  await Promise.resolve();
  throw new TypeError('top-level await went wrong');
}
