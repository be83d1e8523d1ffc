// Loaded with `--import`: records every file the ES module loader loads, through a loader hook
// (module.register), so that an app can tell which of the SDK's files its start-up read.
// `globalThis.loadedFiles()` returns the paths loaded so far.
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.unref();
register('./loaded-files-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const files = [];
globalThis.loadedFiles = () => {
  // The hooks post each URL before the file is loaded: everything loaded so far is already there.
  for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) {
    if (message.message.startsWith('file:')) files.push(fileURLToPath(message.message));
  }
  return [...files];
};
