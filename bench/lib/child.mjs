// Runs one worker in a child process with an IPC channel and a hard deadline: every run ends by itself.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder for the Faultline spool of one child process, and its removal. */
export function spoolFolder() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-spool-'));
  return { env: { ...process.env, FAULTLINE_BENCH_SPOOL: dir }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Forks `script` and resolves with its `result` message, or `{ failed }` when it fails, exits early
 * or outlives `deadlineMs` (it is killed then). `settle` messages are answered from the receiver.
 */
export function runChild(script, args, { execArgv = [], receiver, deadlineMs = 120_000, onReady, cwd } = {}) {
  return new Promise((resolve) => {
    const spool = spoolFolder();
    const child = fork(script, args, { execArgv, cwd, env: spool.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let outcome;
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 4_000) stderr += chunk;
    });
    const timer = setTimeout(() => {
      outcome ??= { failed: `timed out after ${deadlineMs / 1000} s` };
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('message', async (message) => {
      if (message.type === 'settle') {
        const { phase, expected, idleMs, firstMs, maxMs } = message;
        const received = await receiver.settle(phase, { expected, idleMs, firstMs, maxMs });
        if (child.connected) child.send({ type: 'settled', received });
      } else if (message.type === 'ready') {
        onReady?.(message, child);
      } else if (message.type === 'result') {
        outcome ??= message.result;
      } else if (message.type === 'failed') {
        outcome ??= { failed: message.message.split('\n')[0] };
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      spool.remove();
      if (!outcome) outcome = { failed: `exited with ${signal ?? code}: ${lastLine(stderr)}` };
      if (outcome.failed && stderr) outcome.stderr = stderr;
      resolve(outcome);
    });
  });
}

function lastLine(text) {
  return text.trim().split('\n').filter((line) => /Error|error/.test(line)).at(0) ?? text.trim().split('\n').at(-1) ?? '';
}
