import type * as NodeFs from 'node:fs';
import { join } from 'node:path';
import type { DroppedEnvelope, EnvelopeItemType, EnvelopeStore, StoredEnvelope } from '@faultline/core';
import { builtin } from './builtin-modules';

// The crash-durable disk spool: one file per envelope, named after its key, so the folder listing is
// the queue. A file appears whole or not at all (written under a temporary name, then renamed), and a
// reader takes a file by renaming it to a name with its pid, so two processes sharing the spool
// (cluster workers, a restart while the old process still drains) never send one envelope twice.
//
// Most entries never need the disk: the transport also stores what overflows its queue while the
// server answers, and sends it moments later. Writing, renaming and deleting a file for each cost
// more than building the event (about 1 ms each, profiled), so while the server answers entries are
// held in memory, up to a bound, and written only when they must outlive a failing server or the
// process: the transport says when the server fails (setDurable), and what is still held is written
// synchronously before the process exits (persistSync, and the process `exit` event).

export interface SpoolOptions {
  /**
   * The folder; made on the first write, readable by this user only (events may hold personal data).
   * A function is called on first use, so working out a default folder costs start-up nothing.
   */
  dir: string | (() => string);
  /** Most envelopes kept; past that the oldest go (default 10,000). */
  maxEntries?: number;
  /** Most bytes kept; past that the oldest go (default 64 MiB). */
  maxBytes?: number;
  /**
   * Most bytes of entries held in memory only, not written, while the server answers (default 8 MiB,
   * what the transport's queue may hold too); past that new entries are written at once. 0 writes
   * every entry at once.
   */
  memoryBytes?: number;
}

/** A store that can also write and remove synchronously, for a process about to exit. */
export type Spool = EnvelopeStore &
  Required<Pick<EnvelopeStore, 'pushSync' | 'removeSync'>> & {
    /**
     * Whether entries must be on disk as soon as they can (the server is unreachable, failing or
     * rate limiting, so they may wait long): true writes those held in memory now, and every later
     * one at once; false lets later ones be held in memory again.
     */
    setDurable(durable: boolean): void;
    /** Writes every entry held only in memory before returning: the process is about to exit. */
    persistSync(): void;
  };

/** The part of `process` the spool uses to write what it holds before the process exits. */
export interface ExitingProcess {
  on(event: 'exit', listener: () => void): unknown;
  off(event: 'exit', listener: () => void): unknown;
}

/** The part of `node:fs` the spool uses; tests may hand in a wrapper. */
export type SpoolFs = Pick<typeof NodeFs, 'mkdirSync' | 'writeFileSync' | 'renameSync' | 'unlinkSync' | 'readdirSync' | 'rmdirSync'> & {
  promises: Pick<typeof NodeFs.promises, 'mkdir' | 'writeFile' | 'rename' | 'unlink' | 'readdir' | 'readFile' | 'rmdir'>;
};

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_MEMORY_BYTES = 8 * 1024 * 1024;
// Past this many bytes waiting to be written, writes happen synchronously: a burst slows down the
// app a little rather than pile up in memory.
const MAX_PENDING_BYTES = 2 * 1024 * 1024;
// libuv's default thread pool has 4 threads; more parallel writes would only queue there.
const MAX_PARALLEL_WRITES = 4;
const MAX_REMEMBERED_REMOVALS = 10_000;

const ENTRY = /^([0-9a-z-]+)\.([a-z_+]+)\.(\d+)\.env$/;
const TAKEN = /^(.+\.env)\.(\d+)\.taken$/;
const TEMPORARY = /^[0-9a-z-]+\.(\d+)-\d+\.tmp$/;

interface Entry {
  key: string;
  /** The file's name in the folder (its taken name while taken). */
  name: string;
  types: EnvelopeItemType[];
  bytes: number;
  /** Whether its file exists or is being written; false while it is held in memory only. */
  onDisk: boolean;
  /** The body, while held in memory (counted in `heldBytes`). */
  body?: string | Uint8Array;
  /** The asynchronous write, until it has finished. */
  write?: Promise<void>;
}

/** Whether a process with this pid runs (on this machine); EPERM means it does, as someone else's. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createSpool(
  options: SpoolOptions,
  fs: SpoolFs = builtin('node:fs'),
  pid: number = process.pid,
  isAlive: (pid: number) => boolean = processIsAlive,
  proc: ExitingProcess = process,
): Spool {
  const maxEntries = positive(options.maxEntries, DEFAULT_MAX_ENTRIES);
  const maxBytes = positive(options.maxBytes, DEFAULT_MAX_BYTES);
  const memoryBytes = options.memoryBytes === 0 ? 0 : positive(options.memoryBytes, DEFAULT_MEMORY_BYTES);
  /** Entries on disk not taken by us, oldest first (Map keeps insertion order, and keys grow). */
  let available = new Map<string, Entry>();
  /** The greatest key in `available` so far, to keep it sorted cheaply. */
  let newestKey = '';
  const taken = new Map<string, Entry>();
  let bytes = 0;
  let scanned = false;
  let madeDir = false;
  let pendingBytes = 0;
  let writesRunning = 0;
  const writesWaiting: Array<() => void> = [];
  let tmpCounter = 0;
  /** Our temporary files being written. */
  const temps = new Set<string>();
  /**
   * Keys we removed: a listing read before a removal still has the file, and must not bring the
   * entry back. (Keys are unique to the process that made them: no one else adds them again.)
   */
  const removed = new Set<string>();
  let durable = false;
  /** Bytes of the bodies held in memory. */
  let heldBytes = 0;
  /** Entries whose body is held in memory; while there are any, the `exit` listener is on. */
  let heldCount = 0;
  const persistAtExit = (): void => {
    try {
      persistSync();
    } catch {
      // The process is ending: nothing left to tell.
    }
  };

  let folder: string | undefined;
  const dir = (): string => (folder ??= typeof options.dir === 'function' ? options.dir() : options.dir);
  const path = (name: string): string => join(dir(), name);

  function makeDir(): void {
    if (madeDir) return;
    fs.mkdirSync(dir(), { recursive: true, mode: 0o700 });
    madeDir = true;
  }

  /**
   * What a listing of the folder means: entries not known yet; files taken by a process that died,
   * to be put back; its half-written files, to be deleted.
   */
  function read(names: string[]): { found: Entry[]; orphans: Array<[string, Entry]>; partials: string[] } {
    const found: Entry[] = [];
    const orphans: Array<[string, Entry]> = [];
    const partials: string[] = [];
    const known = (key: string): boolean => available.has(key) || taken.has(key) || removed.has(key);
    for (const name of names) {
      const entry = parseName(name);
      if (entry) {
        if (!known(entry.key)) found.push(entry);
        continue;
      }
      const stale = TAKEN.exec(name);
      const back = stale ? parseName(stale[1]!) : undefined;
      if (stale && back) {
        // Our own pid on a file we did not take is an earlier process's (containers reuse pids).
        const owner = Number(stale[2]);
        if (!known(back.key) && (owner === pid || !isAlive(owner))) orphans.push([name, back]);
        continue;
      }
      const partial = TEMPORARY.exec(name);
      const writer = partial ? Number(partial[1]) : undefined;
      if (writer !== undefined && !temps.has(name) && (writer === pid || !isAlive(writer))) partials.push(name);
    }
    return { found, orphans, partials };
  }

  function resort(entries: Entry[]): void {
    entries.sort((a, b) => (a.key < b.key ? -1 : 1));
    available = new Map(entries.map((entry) => [entry.key, entry]));
    const last = entries.at(-1)?.key;
    if (last !== undefined && last > newestKey) newestKey = last;
  }

  /** Adds entries found on disk to the index, in key order. */
  function index(found: Entry[]): void {
    const fresh = found.filter((entry) => !available.has(entry.key) && !taken.has(entry.key));
    if (!fresh.length) return;
    for (const entry of fresh) bytes += entry.bytes;
    resort([...available.values(), ...fresh]);
  }

  function scanSync(): void {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const { found, orphans, partials } = read(names);
    for (const [name, entry] of orphans) {
      // Failing means another process put it back first; the next scan sees it.
      ignore(() => {
        fs.renameSync(path(name), path(entry.name));
        found.push(entry);
      });
    }
    for (const name of partials) ignore(() => fs.unlinkSync(path(name)));
    index(found);
    scanned = true;
  }

  async function scanAsync(): Promise<void> {
    let names: string[] = [];
    try {
      names = await fs.promises.readdir(dir());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const { found, orphans, partials } = read(names);
    await Promise.all([
      ...orphans.map(([name, entry]) =>
        fs.promises.rename(path(name), path(entry.name)).then(
          () => void found.push(entry),
          () => undefined,
        ),
      ),
      ...partials.map((name) => fs.promises.unlink(path(name)).catch(() => undefined)),
    ]);
    index(found);
    scanned = true;
  }

  /** Adds an entry, dropping the oldest ones past the bounds; returns what was dropped. */
  function admit(entry: Entry): DroppedEnvelope[] {
    if (entry.bytes > maxBytes) return [{ key: entry.key, types: entry.types }];
    forget(entry.key);
    // Keys come in order nearly always; one made earlier but stored later takes its place in line.
    if (entry.key > newestKey) {
      available.set(entry.key, entry);
      newestKey = entry.key;
    } else {
      resort([...available.values(), entry]);
    }
    bytes += entry.bytes;
    const dropped: DroppedEnvelope[] = [];
    for (const oldest of available.values()) {
      if (available.size + taken.size <= maxEntries && bytes <= maxBytes) break;
      if (oldest === entry) break;
      discard(oldest.key);
      dropped.push({ key: oldest.key, types: oldest.types });
      // A write still under way deletes its file when it lands and finds its entry gone.
      if (oldest.onDisk && !oldest.write) void fs.promises.unlink(path(oldest.name)).catch(() => undefined);
    }
    return dropped;
  }

  /** Takes an entry out of the index for good. */
  function discard(key: string): Entry | undefined {
    if (removed.size >= MAX_REMEMBERED_REMOVALS) removed.clear();
    removed.add(key);
    return forget(key);
  }

  /** Takes an entry out of the index; returns it. */
  function forget(key: string): Entry | undefined {
    const entry = available.get(key) ?? taken.get(key);
    if (!entry) return undefined;
    available.delete(key);
    taken.delete(key);
    bytes -= entry.bytes;
    drop(entry);
    return entry;
  }

  function hold(entry: Entry, body: string | Uint8Array): void {
    if (heldCount++ === 0) proc.on('exit', persistAtExit);
    entry.body = body;
    heldBytes += entry.bytes;
  }

  /** Lets go of the entry's body held in memory, if any. */
  function drop(entry: Entry): void {
    if (entry.body === undefined) return;
    entry.body = undefined;
    heldBytes -= entry.bytes;
    if (--heldCount === 0) proc.off('exit', persistAtExit);
  }

  /** Whether the entry is still wanted once its write has landed. */
  const isCurrent = (entry: Entry): boolean => available.get(entry.key) === entry || taken.get(entry.key) === entry;

  function writeSync(entry: Entry, body: string | Uint8Array, name = entry.name): void {
    makeDir();
    const tmp = path(`${entry.key}.${pid}-${++tmpCounter}.tmp`);
    try {
      fs.writeFileSync(tmp, body, { mode: 0o600 });
    } catch (error) {
      if (!isMissing(error)) throw error;
      // The folder went (emptied and removed by another process sharing it): made again.
      madeDir = false;
      makeDir();
      fs.writeFileSync(tmp, body, { mode: 0o600 });
    }
    fs.renameSync(tmp, path(name));
    entry.name = name;
    entry.onDisk = true;
  }

  async function writeAsync(entry: Entry, body: string | Uint8Array): Promise<void> {
    if (writesRunning >= MAX_PARALLEL_WRITES) await new Promise<void>((resolve) => writesWaiting.push(resolve));
    writesRunning++;
    const tmpName = `${entry.key}.${pid}-${++tmpCounter}.tmp`;
    const tmp = path(tmpName);
    temps.add(tmpName);
    try {
      if (!madeDir) {
        await fs.promises.mkdir(dir(), { recursive: true, mode: 0o700 });
        madeDir = true;
      }
      await fs.promises.writeFile(tmp, body, { mode: 0o600 }).catch(async (error: unknown) => {
        if (!isMissing(error)) throw error;
        // The folder went (emptied and removed by another process sharing it): made again.
        await fs.promises.mkdir(dir(), { recursive: true, mode: 0o700 });
        await fs.promises.writeFile(tmp, body, { mode: 0o600 });
      });
      await fs.promises.rename(tmp, path(entry.name));
    } catch (error) {
      void fs.promises.unlink(tmp).catch(() => undefined);
      throw error;
    } finally {
      temps.delete(tmpName);
      writesRunning--;
      writesWaiting.shift()?.();
    }
    // Removed or dropped meanwhile: the file must not come back. (Written again synchronously, the
    // key is still there, and the file the same.)
    if (!available.has(entry.key) && !taken.has(entry.key)) await fs.promises.unlink(path(entry.name)).catch(() => undefined);
  }

  function pushSync(stored: StoredEnvelope): DroppedEnvelope[] {
    if (!scanned) scanSync();
    const entry = describe(stored);
    const dropped = admit(entry);
    if (isCurrent(entry)) {
      try {
        writeSync(entry, stored.body);
      } catch (error) {
        forget(entry.key);
        throw error;
      }
    }
    return dropped;
  }

  /** Writes an entry of `available` in the background. */
  function writeInBackground(entry: Entry, body: string | Uint8Array): Promise<void> {
    entry.onDisk = true;
    pendingBytes += entry.bytes;
    const write = (async () => {
      if (!scanned) await scanAsync();
      await writeAsync(entry, body);
    })().finally(() => {
      pendingBytes -= entry.bytes;
      entry.write = undefined;
    });
    entry.write = write;
    return write;
  }

  /**
   * Writes an entry of `available` held in memory; it stays held until the write has landed (an exit
   * meanwhile writes it synchronously), and for good should the write fail.
   */
  function moveToDisk(entry: Entry): void {
    const body = entry.body;
    if (entry.onDisk || body === undefined) return;
    writeInBackground(entry, body).then(
      () => {
        if (entry.body === body) drop(entry);
      },
      () => {
        if (isCurrent(entry)) entry.onDisk = false;
      },
    );
  }

  async function push(stored: StoredEnvelope): Promise<DroppedEnvelope[]> {
    const entry = describe(stored);
    const inMemory = !durable && heldBytes + entry.bytes <= memoryBytes;
    if (!inMemory && pendingBytes + entry.bytes > MAX_PENDING_BYTES) return pushSync(stored);
    // Into the index at once, so pushes and removals take effect in the order they were asked for.
    const dropped = admit(entry);
    if (!isCurrent(entry)) return dropped;
    if (inMemory) {
      hold(entry, stored.body);
      return dropped;
    }
    try {
      await writeInBackground(entry, stored.body);
    } catch (error) {
      if (isCurrent(entry)) forget(entry.key);
      throw error;
    }
    return dropped;
  }

  function setDurable(value: boolean): void {
    durable = value;
    // Taken ones are being sent: they are written if they come back (release).
    if (durable) for (const entry of available.values()) moveToDisk(entry);
  }

  function persistSync(): void {
    for (const entry of [...available.values(), ...taken.values()]) {
      if (entry.body === undefined || (entry.onDisk && !entry.write)) continue;
      // A taken one is written under its taken name: should the process die before it is sent, the
      // next one puts it back (see read); sent, its removal deletes the file. One being written is
      // written again, the same file under the same name.
      const name = taken.get(entry.key) === entry && !entry.onDisk ? `${entry.name}.${pid}.taken` : entry.name;
      try {
        writeSync(entry, entry.body, name);
      } catch {
        // The disk is full or gone: the others may still fit.
      }
    }
  }

  async function take(): Promise<StoredEnvelope | undefined> {
    if (!scanned) await scanAsync();
    for (;;) {
      if (!available.size) await scanAsync();
      const entry = available.values().next().value;
      if (!entry) return undefined;
      if (entry.write) await entry.write.catch(() => undefined);
      if (available.get(entry.key) !== entry) continue;
      if (!entry.onDisk && entry.body !== undefined) {
        available.delete(entry.key);
        taken.set(entry.key, entry);
        return { key: entry.key, body: entry.body, types: entry.types };
      }
      const takenName = `${entry.name}.${pid}.taken`;
      try {
        await fs.promises.rename(path(entry.name), path(takenName));
      } catch {
        // Another process took or removed it.
        forget(entry.key);
        continue;
      }
      available.delete(entry.key);
      entry.name = takenName;
      taken.set(entry.key, entry);
      if (entry.body !== undefined) return { key: entry.key, body: entry.body, types: entry.types };
      let body: string | Uint8Array;
      try {
        // Bodies with attachments may hold any bytes; the others are UTF-8 text, cheaper as a string.
        const file = path(takenName);
        body = entry.types.includes('attachment') ? await fs.promises.readFile(file) : await fs.promises.readFile(file, 'utf8');
      } catch {
        forget(entry.key);
        void fs.promises.unlink(path(takenName)).catch(() => undefined);
        continue;
      }
      return { key: entry.key, body, types: entry.types };
    }
  }

  async function release(key: string): Promise<void> {
    const entry = taken.get(key);
    if (!entry) return;
    const name = entry.onDisk ? entry.name.replace(TAKEN, '$1') : entry.name;
    const body = entry.body;
    try {
      if (entry.onDisk) await fs.promises.rename(path(entry.name), path(name));
    } finally {
      forget(key);
    }
    // Back in its place in line (near the front: it was the oldest when taken).
    const back: Entry = { ...entry, name, body: undefined };
    const first = available.values().next().value;
    if (!first || key < first.key) available = new Map([[key, back], ...available]);
    else resort([...available.values(), back]);
    bytes += back.bytes;
    if (back.onDisk || body === undefined) return;
    hold(back, body);
    if (durable) moveToDisk(back);
  }

  /**
   * Nothing of ours is left on disk or on its way there: the folder, empty unless another process
   * shares it, goes too (a crash writes the fatal event before sending it, and an app must not
   * leave a folder behind for each crash it reported).
   */
  const holdsNothing = (): boolean => !available.size && !taken.size && !temps.size && !pendingBytes && madeDir;

  function removeSync(key: string): void {
    const entry = discard(key);
    if (!entry?.onDisk || entry.write) return;
    ignoreMissing(() => fs.unlinkSync(path(entry.name)));
    if (holdsNothing()) {
      madeDir = false;
      // Not empty: another process's files keep it.
      ignore(() => fs.rmdirSync(dir()));
    }
  }

  async function remove(key: string): Promise<void> {
    const entry = discard(key);
    if (!entry?.onDisk || entry.write) return;
    try {
      await fs.promises.unlink(path(entry.name));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    if (holdsNothing()) {
      madeDir = false;
      await fs.promises.rmdir(dir()).catch(() => undefined);
    }
  }

  return { push, pushSync, take, release, remove, removeSync, setDurable, persistSync };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value >= 1 && Number.isFinite(value) ? value : fallback;
}

function describe(stored: StoredEnvelope): Entry {
  const size = typeof stored.body === 'string' ? Buffer.byteLength(stored.body) : stored.body.byteLength;
  const types = stored.types.length ? stored.types : (['event'] as EnvelopeItemType[]);
  return { key: stored.key, name: `${stored.key}.${types.join('+')}.${size}.env`, types, bytes: size, onDisk: false };
}

function parseName(name: string): Entry | undefined {
  const match = ENTRY.exec(name);
  if (!match) return undefined;
  return { key: match[1]!, name, types: match[2]!.split('+') as EnvelopeItemType[], bytes: Number(match[3]), onDisk: true };
}

function ignore(run: () => void): void {
  try {
    run();
  } catch {
    // Best effort: a leftover file is cleaned up by a later scan.
  }
}

function ignoreMissing(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
