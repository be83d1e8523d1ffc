import { spawn } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Flags for node itself, before the script. */
  nodeArgs?: string[];
  env?: Record<string, string | undefined>;
  /** Only a guard against a hung child; no test waits for it to pass. */
  killAfterMs?: number;
}

/** Runs a script in a real Node process, as an app would run, and collects what it printed. */
export function runNode(script: string, options: RunOptions = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: undefined, ...options.env };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
