import type * as os from 'node:os';
import type { Context, Event, Integration } from '@faultline/core';
import { builtin } from '../builtin-modules';

/** What the context is read from; tests hand in fakes. */
export interface NodeContextHost {
  process: Pick<NodeJS.Process, 'version' | 'uptime' | 'memoryUsage'>;
  os: Pick<typeof os, 'type' | 'release' | 'arch' | 'totalmem' | 'freemem' | 'cpus' | 'uptime' | 'hostname'> & { availableParallelism?: () => number };
  readFile(path: string): Promise<string>;
  /** Milliseconds; the memory figures are read again when this has moved on by a second. */
  now?: () => number;
}

// Both memory reads go to /proc on Linux: 15-200 µs each under load, more than the rest of the event.
const MEMORY_READ_INTERVAL_MS = 1000;

/** Node's own modules, loaded with the first event: start-up neither loads nor reads anything here. */
function loadDefaultHost(): NodeContextHost {
  const { promises } = builtin('node:fs');
  return { process, os: builtin('node:os'), readFile: (path) => promises.readFile(path, 'utf8'), now: Date.now };
}

/**
 * Adds the `runtime`, `os`, `app` and `device` contexts, and the host's name as `server_name` when the
 * event has none (no `serverName` option). What cannot change is read once, on the first event, so
 * start-up does none of it; memory figures are read at most once a second.
 */
export function nodeContextIntegration(given?: NodeContextHost): Integration {
  type Fixed = { host: NodeContextHost; base: Record<string, Context>; hostname: string | undefined };
  let fixed: Promise<Fixed> | undefined;
  let ready: Fixed | undefined;
  let memoryReadAt = -Infinity;
  /** The contexts as events get them, without undefined fields; made again when memory is read. */
  let current: Record<string, Context> = {};

  function addTo(event: Event, { host, base, hostname }: Fixed): Event {
    const now = host.now?.() ?? Date.now();
    if (now - memoryReadAt >= MEMORY_READ_INTERVAL_MS) {
      memoryReadAt = now;
      const app = { ...base.app, app_memory: safely(() => host.process.memoryUsage.rss()) };
      const device = { ...base.device, free_memory: safely(() => host.os.freemem()) };
      current = {};
      for (const [name, context] of Object.entries({ ...base, app, device })) current[name] = withoutUndefined(context);
    }
    // Object.assign rather than spreads: V8 makes a new map for each field written to a spread copy.
    const contexts: Record<string, Context> = Object.assign({}, event.contexts);
    for (const name in current) contexts[name] = Object.assign({}, current[name], contexts[name]);
    event.contexts = contexts;
    if (hostname) event.server_name ??= hostname;
    return event;
  }

  return {
    name: 'NodeContext',
    processEvent(event: Event): Event | Promise<Event> {
      // Only the first events wait, for what is read once.
      if (ready) return addTo(event, ready);
      fixed ??= Promise.resolve()
        .then(() => given ?? loadDefaultHost())
        .then(async (host) => (ready = { host, base: await readFixedContexts(host), hostname: safely(() => host.os.hostname()) }));
      return fixed.then((loaded) => addTo(event, loaded));
    },
  };
}

async function readFixedContexts(host: NodeContextHost): Promise<Record<string, Context>> {
  const now = Date.now();
  const cpus = safely(() => host.os.cpus()) ?? [];
  const cpu = cpus[0];
  return {
    runtime: { name: 'node', version: host.process.version },
    os: await readOsContext(host),
    app: { app_start_time: safely(() => new Date(now - host.process.uptime() * 1000).toISOString()) },
    device: {
      arch: safely(() => host.os.arch()),
      memory_size: safely(() => host.os.totalmem()),
      processor_count: safely(() => host.os.availableParallelism?.()) ?? (cpus.length || undefined),
      cpu_description: cpu?.model || undefined,
      processor_frequency: cpu?.speed ? Math.round(cpu.speed) : undefined,
      boot_time: safely(() => new Date(now - host.os.uptime() * 1000).toISOString()),
    },
  };
}

async function readOsContext(host: NodeContextHost): Promise<Context> {
  const type = safely(() => host.os.type());
  const kernel = safely(() => host.os.release());
  if (type === 'Darwin') return { name: 'macOS', kernel_version: kernel };
  if (type === 'Windows_NT') return { name: 'Windows', version: kernel };
  if (type !== 'Linux') return { name: type, version: kernel };
  // The distribution is what a reader wants; the kernel alone says little
  // (https://www.freedesktop.org/software/systemd/man/os-release.html).
  const osRelease = await host.readFile('/etc/os-release').then(parseOsRelease, () => ({}) as Record<string, string>);
  const distribution = withoutUndefined({ name: osRelease.ID, version: osRelease.VERSION_ID, pretty_name: osRelease.PRETTY_NAME });
  return {
    name: osRelease.NAME ?? 'Linux',
    version: osRelease.VERSION_ID,
    kernel_version: kernel,
    distribution: Object.keys(distribution).length ? distribution : undefined,
  };
}

export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

function withoutUndefined(context: Context): Context {
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
