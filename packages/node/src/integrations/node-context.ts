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
  let fixed: Promise<{ host: NodeContextHost; base: Record<string, Context>; hostname: string | undefined }> | undefined;
  let memory: { readAt: number; app_memory?: number; free_memory?: number } | undefined;
  return {
    name: 'NodeContext',
    async processEvent(event: Event): Promise<Event> {
      fixed ??= Promise.resolve()
        .then(() => given ?? loadDefaultHost())
        .then(async (host) => ({ host, base: await readFixedContexts(host), hostname: safely(() => host.os.hostname()) }));
      const { host, base, hostname } = await fixed;
      const now = host.now?.() ?? Date.now();
      if (!memory || now - memory.readAt >= MEMORY_READ_INTERVAL_MS) {
        memory = { readAt: now, app_memory: safely(() => host.process.memoryUsage.rss()), free_memory: safely(() => host.os.freemem()) };
      }
      const current: Record<string, Context> = {
        ...base,
        app: { ...base.app, app_memory: memory.app_memory },
        device: { ...base.device, free_memory: memory.free_memory },
      };
      // Object.assign rather than a spread: V8 makes a new map for each field written to a spread copy.
      const contexts: Record<string, Context> = Object.assign({}, event.contexts);
      for (const [name, context] of Object.entries(current)) {
        contexts[name] = { ...withoutUndefined(context), ...contexts[name] };
      }
      event.contexts = contexts;
      if (hostname) event.server_name ??= hostname;
      return event;
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
