// ESM user of the published @faultline/node: init, tag, capture, then close (which flushes).
import { fileURLToPath } from 'node:url';
import * as Faultline from '@faultline/node';

Faultline.init({ release: 'release-check@1.0.0', spoolDir: fileURLToPath(new URL('.spool', import.meta.url)) });
Faultline.setTag('module', 'esm');
Faultline.captureException(new Error('captured from ESM'));
if (!(await Faultline.close(5000))) process.exitCode = 1;
