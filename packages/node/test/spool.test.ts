import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('createSpool', () => {
  it('keeps envelopes as files only this user can read, and gives them back oldest first, once', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir });
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
    const spool = createSpool({ dir: tempDir() });
    const bytes = new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0x00, 0xfe]);
    await spool.push({ ...entry('bin', ['event', 'attachment']), body: bytes });
    const taken = await spool.take();
    expect(taken!.types).toEqual(['event', 'attachment']);
    expect(new Uint8Array(taken!.body as Uint8Array)).toEqual(bytes);
  });

  it('drops the oldest entries past its bounds, and refuses one bigger than all of them', async () => {
    const spool = createSpool({ dir: tempDir(), maxEntries: 2, maxBytes: 1000 });
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
    const before = createSpool({ dir }, undefined, 101, alive);
    await before.push(entry('async'));
    before.pushSync(entry('sync, at exit'));
    const after = createSpool({ dir }, undefined, 102, alive);
    expect(bodyText(await after.take())).toBe('async');
    expect(bodyText(await after.take())).toBe('sync, at exit');
  });

  it('never hands one entry to two processes, and takes back what a dead process had taken', async () => {
    const dir = tempDir();
    const writer = createSpool({ dir }, undefined, 201, alive);
    await writer.push(entry('only one'));
    const one = createSpool({ dir }, undefined, 202, alive);
    const two = createSpool({ dir }, undefined, 203, alive);
    expect(bodyText(await one.take())).toBe('only one');
    expect(await two.take()).toBeUndefined();
    // Process 202 died holding it.
    const three = createSpool({ dir }, undefined, 204, (pid) => pid !== 202);
    expect(bodyText(await three.take())).toBe('only one');
  });

  it('takes back a file taken under its own pid by an earlier process (containers reuse pids)', async () => {
    const dir = tempDir();
    const earlier = createSpool({ dir }, undefined, 1, alive);
    await earlier.push(entry('from the last run'));
    await earlier.take();
    const restarted = createSpool({ dir }, undefined, 1, alive);
    expect(bodyText(await restarted.take())).toBe('from the last run');
  });

  it('deletes what a dead process left half written, and ignores what it cannot parse', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir }, undefined, 301, dead);
    await spool.push(entry('whole'));
    writeFileSync(join(dir, '0000000aa-000001-test00.999-1.tmp'), '{"half');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const next = createSpool({ dir }, undefined, 302, dead);
    expect(bodyText(await next.take())).toBe('whole');
    expect(await next.take()).toBeUndefined();
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(dir)).toContain('notes.txt');
  });

  it('writes and removes synchronously, and a removal wins over a write still under way', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir });
    const stored = entry('raced');
    const writing = spool.push(stored);
    spool.pushSync(stored);
    expect(readdirSync(dir).filter((name) => name.endsWith('.env'))).toHaveLength(1);
    spool.removeSync(stored.key);
    await writing;
    expect(readdirSync(dir).filter((name) => !name.endsWith('.tmp'))).toEqual([]);
    expect(await createSpool({ dir }).take()).toBeUndefined();
  });

  it('keeps an entry written again synchronously while its first write was under way', async () => {
    const dir = tempDir();
    const spool = createSpool({ dir });
    const stored = entry('twice');
    const writing = spool.push(stored);
    spool.pushSync(stored);
    await writing;
    expect(bodyText(await createSpool({ dir }, undefined, 999, alive).take())).toBe('twice');
  });

  it('puts an entry stored late but made earlier in its place in line', async () => {
    const spool = createSpool({ dir: tempDir() });
    const early = entry('made first');
    const late = entry('made second');
    await spool.push(late);
    await spool.push(early);
    expect(bodyText(await spool.take())).toBe('made first');
    const second = await spool.take();
    await spool.release(second!.key);
    expect(bodyText(await spool.take())).toBe('made second');
  });

  it('has nothing to give when its folder does not exist yet, and makes no folder for that', async () => {
    const dir = tempDir();
    expect(await createSpool({ dir }).take()).toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });
});
