// `npm start`: the main job. Starts a local Faultline inbox, runs real example apps against it as child
// processes (a Node app with handled errors, a warning and a crashing worker; an express API), then
// prints the grouped summary of what arrived, as support staff would see it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInbox } from '@faultline/testkit';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function run(title, script, args, env) {
  console.log(`\n=== ${title}: node ${path.relative(root, script)} ${args.join(' ')}`.trimEnd());
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code));
  });
}

const inbox = await runInbox({ port: Number(process.env.FAULTLINE_INBOX_PORT ?? 0) });
const env = { FAULTLINE_DSN: inbox.receiver.dsn(1) };

await run('Node app', path.join(root, 'examples/node-app/index.js'), [], env);
await run('Express app', path.join(root, 'examples/express-app/index.js'), ['--self-test'], env);

// Each app flushes before it exits; this only covers a slow disk or machine.
// 3 payment errors, the coupon error, the warning, the worker crash, the express route error.
const expected = 7;
await inbox.receiver.waitFor((r) => r.events().length >= expected, 5000).catch(() => undefined);
const summary = await inbox.stop();
console.log(`\n=== What arrived (${inbox.receiver.events().length} events), grouped into issues\n`);
console.log(summary);
const violations = inbox.receiver.violations();
if (violations.length) {
  console.error(`${violations.length} protocol violations:`, violations);
  process.exitCode = 1;
}
