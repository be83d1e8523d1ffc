import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '@faultline/testkit';
import { runNode } from '../run-node';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.reset());
afterAll(() => receiver.close());

const script = (name: string): string => join(__dirname, name);
const withSdk = (project: number): Record<string, string> => ({ WITH_FAULTLINE: '1', FAULTLINE_DSN: receiver.dsn(project) });

describe('an unhandled rejection', () => {
  it('is delivered, then the process exits 1 printing exactly what Node prints', async () => {
    const node = await runNode(script('reject.cjs'));
    const run = await runNode(script('reject.cjs'), { env: withSdk(31) });
    expect(node.code).toBe(1);
    expect(run.code).toBe(1);
    // Unlike plain Node, the app runs on while the event is delivered (up to shutdownTimeout):
    // reject.cjs gets to print 'still running' then.
    expect(run.stderr).toBe(node.stderr);
    expect(run.stderr).toContain('Error: rejected for good\n    at load ');
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.events()[0]).toMatchObject({
      level: 'fatal',
      exception: { values: [{ type: 'Error', value: 'rejected for good', mechanism: { type: 'onunhandledrejection', handled: false } }] },
    });
    expect(receiver.violations()).toEqual([]);
  });

  it('that is not an Error is delivered and printed exactly as Node prints it', async () => {
    const node = await runNode(script('reject-string.cjs'));
    const run = await runNode(script('reject-string.cjs'), { env: withSdk(32) });
    expect([node.code, run.code]).toEqual([1, 1]);
    expect(run.stderr).toBe(node.stderr);
    expect(receiver.events()).toHaveLength(1);
    expect(JSON.stringify(receiver.events()[0]!.exception)).toContain('not an error');
    expect(receiver.violations()).toEqual([]);
  });

  it('keeps the process running under --unhandled-rejections=warn', async () => {
    const node = await runNode(script('reject.cjs'), { nodeArgs: ['--unhandled-rejections=warn'] });
    const run = await runNode(script('reject.cjs'), { nodeArgs: ['--unhandled-rejections=warn'], env: withSdk(33) });
    expect([node.code, run.code]).toEqual([0, 0]);
    expect(run.stdout).toBe('still running\n');
    const withoutPid = (text: string): string => text.replace(/\(node:\d+\)/g, '(node:PID)');
    expect(withoutPid(run.stderr)).toBe(withoutPid(node.stderr));
    expect(run.stderr).toContain('UnhandledPromiseRejectionWarning: Error: rejected for good');
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.events()[0]).toMatchObject({ level: 'error', exception: { values: [{ mechanism: { type: 'onunhandledrejection', handled: false } }] } });
  });

  it('warns and ends with exit code 1 under --unhandled-rejections=warn-with-error-code', async () => {
    const flags = { nodeArgs: ['--unhandled-rejections=warn-with-error-code'] };
    const node = await runNode(script('reject.cjs'), flags);
    const run = await runNode(script('reject.cjs'), { ...flags, env: withSdk(36) });
    expect([node.code, run.code]).toEqual([1, 1]);
    expect(run.stdout).toBe('still running\n');
    // The SDK hands Node a new rejection of the same reason, which Node numbers anew.
    const normalized = (text: string): string => text.replace(/\(node:\d+\)/g, '(node:PID)').replace(/rejection id: \d+/, 'rejection id: N');
    expect(normalized(run.stderr)).toBe(normalized(node.stderr));
    expect(receiver.events()).toHaveLength(1);
  });

  it('exits 1 under --unhandled-rejections=strict, printing what Node prints, reported once', async () => {
    const node = await runNode(script('reject.cjs'), { nodeArgs: ['--unhandled-rejections=strict'] });
    const run = await runNode(script('reject.cjs'), { nodeArgs: ['--unhandled-rejections=strict'], env: withSdk(34) });
    expect([node.code, run.code]).toEqual([1, 1]);
    expect(run.stderr).toBe(node.stderr);
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.events()[0]!.exception!.values![0]!.mechanism).toEqual({ type: 'onunhandledrejection', handled: false });
  });

  it("reaches the app's uncaughtException listener as Node's default mode does, reported once", async () => {
    const run = await runNode(script('app-listener.cjs'), { env: { FAULTLINE_DSN: receiver.dsn(35) } });
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'app handled unhandledRejection: caught by the app\nstill running\n' });
    expect(receiver.events()).toHaveLength(1);
    expect(receiver.events()[0]!.exception!.values![0]).toMatchObject({ value: 'caught by the app', mechanism: { type: 'onunhandledrejection', handled: false } });
    expect(receiver.violations()).toEqual([]);
  });
});
