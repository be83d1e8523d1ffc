import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEnvelope } from '@faultline/core';
import { createSpool } from '../src/spool';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-spool-test-'));
  dirs.push(dir);
  return join(dir, 'spool');
}

let clock = 1_700_000_000_000;
function entry(text: string, types: StoredEnvelope['types'] = ['event']): StoredEnvelope {
  clock++;
  return { key: `${clock.toString(36).padStart(9, '0')}-000001-test00`, body: `{"event_id":"x"}\n{"type":"event"}\n{"value":${JSON.stringify(text)}}`, types };
}

const bodyText = (stored: StoredEnvelope | undefined): string | undefined =>
  stored && (JSON.parse(String(stored.body).split('\n')[2]!) as { value: string }).value;

const alive = () => true;
const dead = () => false;

/** A spool that writes every entry at once, as it does while the server fails. */
const onDisk = (dir: string, maxEntries?: number, maxBytes?: number) => ({ dir, maxEntries, maxBytes, memoryBytes: 0 });
const envFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.env'));

describe('createSpool, writing every entry', () => {
  it('keeps envelopes as files only this user can read, and gives them back oldest first, once', async () => {
    const dir = tempDir();
    const spool = createSpool(onDisk(dir));
    for (const text of ['first', 'second', 'third']) await spool.push(entry(text));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toHaveLength(3);
    for (const file of files) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);

    const first = await spool.take();
    const second = await spool.take();
    expect([bodyText(first), bodyText(second)]).toEqual(['first', 'second']);
    await spool.remove(first!.key);
    await spool.release(second!.key);
    expect(bodyText(await spool.take())).toBe('second');
    expect(bodyText(await spool.take())).toBe('third');
    expect(await spool.take()).toBeUndefined();
  });

  it('gives bodies with attachments back as the bytes written', async () => {
    const spool = createSpool(onDisk(tempDir()));
    const bytes = new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0x00, 0xfe]);
    await spool.push({ ...entry('bin', ['event', 'attachment']), body: bytes });
    const taken = await spool.take();
    expect(taken!.types).toEqual(['event', 'attachment']);
    expect(new Uint8Array(taken!.body as Uint8Array)).toEqual(bytes);
  });

  it('drops the oldest entries past its bounds, and refuses one bigger than all of them', async () => {
    const spool = createSpool(onDisk(tempDir(), 2, 1000));
    const stored = [entry('a'), entry('b'), entry('c')];
    expect(await spool.push(stored[0]!)).toEqual([]);
    expect(await spool.push(stored[1]!)).toEqual([]);
    expect(await spool.push(stored[2]!)).toEqual([{ key: stored[0]!.key, types: ['event'] }]);
    const huge = { ...entry('huge'), body: 'x'.repeat(2000) };
    expect(spool.pushSync(huge)).toEqual([{ key: huge.key, types: ['event'] }]);
    expect(bodyText(await spool.take())).toBe('b');
  });

  it('is read again by the next process on the same folder, in order', async () => {
    const dir = tempDir();
    const before = createSpool(onDisk(dir), undefined, 101, alive);
    await before.push(entry('async'));
    before.pushSync(entry('sync, at exit'));
    const after = createSpool(onDisk(dir), undefined, 102, alive);
    expect(bodyText(await after.take())).toBe('async');
    expect(bodyText(await after.take())).toBe('sync, at exit');
  });

  it('never hands one entry to two processes, and takes back what a dead process had taken', async () => {
    const dir = tempDir();
    const writer = createSpool(onDisk(dir), undefined, 201, alive);
    await writer.push(entry('only one'));
    const one = createSpool(onDisk(dir), undefined, 202, alive);
    const two = createSpool(onDisk(dir), undefined, 203, alive);
    expect(bodyText(await one.take())).toBe('only one');
    expect(await two.take()).toBeUndefined();
    // Process 202 died holding it.
    const three = createSpool(onDisk(dir), undefined, 204, (pid) => pid !== 202);
    expect(bodyText(await three.take())).toBe('only one');
  });

  it('takes back a file taken under its own pid by an earlier process (containers reuse pids)', async () => {
    const dir = tempDir();
    const earlier = createSpool(onDisk(dir), undefined, 1, alive);
    await earlier.push(entry('from the last run'));
    await earlier.take();
    const restarted = createSpool(onDisk(dir), undefined, 1, alive);
    expect(bodyText(await restarted.take())).toBe('from the last run');
  });

  it('deletes what a dead process left half written, and ignores what it cannot parse', async () => {
    const dir = tempDir();
    const spool = createSpool(onDisk(dir), undefined, 301, dead);
    await spool.push(entry('whole'));
    writeFileSync(join(dir, '0000000aa-000001-test00.999-1.tmp'), '{"half');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const next = createSpool(onDisk(dir), undefined, 302, dead);
    expect(bodyText(await next.take())).toBe('whole');
    expect(await next.take()).toBeUndefined();
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(dir)).toContain('notes.txt');
  });

  it('writes and removes synchronously, and a removal wins over a write still under way', async () => {
    const dir = tempDir();
    const spool = createSpool(onDisk(dir));
    const stored = entry('raced');
    const writing = spool.push(stored);
    spool.pushSync(stored);
    expect(readdirSync(dir).filter((name) => name.endsWith('.env'))).toHaveLength(1);
    spool.removeSync(stored.key);
    await writing;
    expect(readdirSync(dir).filter((name) => !name.endsWith('.tmp'))).toEqual([]);
    expect(await createSpool(onDisk(dir)).take()).toBeUndefined();
  });

  it('keeps an entry written again synchronously while its first write was under way', async () => {
    const dir = tempDir();
    const spool = createSpool(onDisk(dir));
    const stored = entry('twice');
    const writing = spool.push(stored);
    spool.pushSync(stored);
    await writing;
    expect(bodyText(await createSpool(onDisk(dir), undefined, 999, alive).take())).toBe('twice');
  });

  it('puts an entry stored late but made earlier in its place in line', async () => {
    const spool = createSpool(onDisk(tempDir()));
    const early = entry('made first');
    const late = entry('made second');
    await spool.push(late);
    await spool.push(early);
    expect(bodyText(await spool.take())).toBe('made first');
    const second = await spool.take();
    await spool.release(second!.key);
    expect(bodyText(await spool.take())).toBe('made second');
  });

  it('removes its folder once it holds nothing, unless another process keeps files there', async () => {
    const dir = tempDir();
    const ours = createSpool(onDisk(dir), undefined, 501, alive);
    const theirs = createSpool(onDisk(dir), undefined, 502, alive);
    await theirs.push(entry('theirs'));
    await ours.push(entry('ours'));
    const sent = await ours.take();
    await ours.remove(sent!.key);
    expect(envFiles(dir)).toHaveLength(1);
    const other = await theirs.take();
    theirs.removeSync(other!.key);
    expect(existsSync(dir)).toBe(false);
    await ours.push(entry('later'));
    expect(bodyText(await createSpool(onDisk(dir), undefined, 503, alive).take())).toBe('later');
  });

  it('makes its folder again when something deleted it (a temp dir cleaner)', async () => {
    const dir = tempDir();
    const spool = createSpool(onDisk(dir));
    await spool.push(entry('before'));
    rmSync(dir, { recursive: true });
    await spool.push(entry('after'));
    spool.pushSync(entry('at exit'));
    expect(envFiles(dir)).toHaveLength(2);
  });

  it('has nothing to give when its folder does not exist yet, and makes no folder for that', async () => {
    const dir = tempDir();
    expect(await createSpool(onDisk(dir)).take()).toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });
});

describe('createSpool, holding entries in memory while the server answers', () => {
  it('gives them back in order without making its folder or writing a file', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir }, undefined, 401, alive, new EventEmitter());
    for (const text of ['one', 'two', 'three']) await spool.push(entry(text));
    const first = await spool.take();
    expect(bodyText(first)).toBe('one');
    await spool.release(first!.key);
    for (const text of ['one', 'two', 'three']) {
      const taken = await spool.take();
      expect(bodyText(taken)).toBe(text);
      await spool.remove(taken!.key);
    }
    expect(await spool.take()).toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });

  it('writes at once what goes past its memory bound', async () => {
    const dir = tempDir();
    const entries = ['one', 'two', 'six'].map((text) => entry(text));
    const spool = createSpool({ dir, memoryBytes: 2 * String(entries[0]!.body).length }, undefined, 402, alive, new EventEmitter());
    for (const stored of entries) await spool.push(stored);
    expect(envFiles(dir)).toHaveLength(1);
    expect(bodyText(await createSpool(onDisk(dir), undefined, 403, alive).take())).toBe('six');
    expect(bodyText(await spool.take())).toBe('one');
  });

  it('writes what it holds, and every later entry, while the server fails; holds again once it answers', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir }, undefined, 404, alive, new EventEmitter());
    await spool.push(entry('before the outage'));
    expect(() => statSync(dir)).toThrow();
    spool.setDurable(true);
    await spool.push(entry('during the outage'));
    await vi.waitFor(() => expect(envFiles(dir)).toHaveLength(2));
    spool.setDurable(false);
    await spool.push(entry('after it'));
    expect(envFiles(dir)).toHaveLength(2);
    const next = createSpool(onDisk(dir), undefined, 405, alive);
    expect(bodyText(await next.take())).toBe('before the outage');
    expect(bodyText(await next.take())).toBe('during the outage');
    expect(await next.take()).toBeUndefined();
  });

  it('writes a taken entry coming back while the server fails', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir }, undefined, 406, alive, new EventEmitter());
    await spool.push(entry('tried'));
    const taken = await spool.take();
    spool.setDurable(true);
    expect(() => statSync(dir)).toThrow();
    await spool.release(taken!.key);
    await vi.waitFor(() => expect(envFiles(dir)).toHaveLength(1));
    expect(bodyText(await spool.take())).toBe('tried');
    expect(envFiles(dir)).toEqual([]);
  });

  it('writes what it holds when the process exits, and a process that died while sending one sends it later, once', async () => {
    const dir = tempDir();
    const proc = new EventEmitter();
    const spool = createSpool({ dir }, undefined, 407, alive, proc);
    for (const text of ['being sent', 'waiting']) await spool.push(entry(text));
    await spool.take();
    expect(proc.listenerCount('exit')).toBe(1);
    proc.emit('exit');
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/\.env$/), expect.stringMatching(/\.env\.407\.taken$/)]));

    const next = createSpool(onDisk(dir), undefined, 408, (pid) => pid !== 407);
    expect(bodyText(await next.take())).toBe('being sent');
    expect(bodyText(await next.take())).toBe('waiting');
    expect(await next.take()).toBeUndefined();
  });

  it('writes before returning when told the process is about to exit; holding nothing, it leaves no folder and stops listening for the exit', async () => {
    const dir = tempDir();
    const proc = new EventEmitter();
    const spool = createSpool({ dir }, undefined, 409, alive, proc);
    await spool.push(entry('kept'));
    spool.persistSync();
    expect(envFiles(dir)).toHaveLength(1);
    const taken = await spool.take();
    await spool.remove(taken!.key);
    expect(existsSync(dir)).toBe(false);
    expect(proc.listenerCount('exit')).toBe(0);
  });
});
