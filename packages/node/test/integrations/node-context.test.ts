import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Event } from '@faultline/core';
import { validateEvent } from '@faultline/testkit';
import { nodeContextIntegration, parseOsRelease, type NodeContextHost } from '../../src/integrations/node-context';

function fakeHost(overrides: Partial<NodeContextHost['os']> = {}): NodeContextHost & { reads: string[]; rss: number; clock: number } {
  const reads: string[] = [];
  const host = {
    reads,
    rss: 50_000_000,
    clock: 1_000_000,
    now: () => host.clock,
    process: {
      version: 'v20.1.0',
      uptime: () => 10,
      memoryUsage: Object.assign(() => ({}) as NodeJS.MemoryUsage, { rss: () => host.rss }),
    },
    os: {
      type: () => 'Linux',
      release: () => '6.1.0-18-amd64',
      arch: () => 'x64',
      totalmem: () => 8_000_000_000,
      freemem: () => 2_000_000_000,
      cpus: () => [{ model: 'Test CPU', speed: 2500, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }],
      uptime: () => 1000,
      availableParallelism: () => 4,
      hostname: () => 'web-1',
      ...overrides,
    },
    readFile: async (path: string) => {
      reads.push(path);
      return 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
    },
  };
  return host;
}

const run = async (integration: ReturnType<typeof nodeContextIntegration>, event: Event = {}): Promise<Event> =>
  (await integration.processEvent!(event, {}, undefined as never)) as Event;

describe('nodeContextIntegration', () => {
  it('adds runtime, os, app and device contexts', async () => {
    const event = await run(nodeContextIntegration(fakeHost()));
    expect(event.contexts).toEqual({
      runtime: { name: 'node', version: 'v20.1.0' },
      os: {
        name: 'Debian GNU/Linux',
        version: '12',
        kernel_version: '6.1.0-18-amd64',
        distribution: { name: 'debian', version: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
      },
      app: { app_start_time: expect.any(String), app_memory: 50_000_000 },
      device: {
        arch: 'x64',
        memory_size: 8_000_000_000,
        free_memory: 2_000_000_000,
        processor_count: 4,
        cpu_description: 'Test CPU',
        processor_frequency: 2500,
        boot_time: expect.any(String),
      },
    });
    expect(Date.now() - Date.parse(event.contexts!.app!.app_start_time as string)).toBeGreaterThanOrEqual(10_000);
  });

  it('reads what cannot change once, and memory at most once a second', async () => {
    const host = fakeHost();
    const integration = nodeContextIntegration(host);
    expect(host.reads).toEqual([]);
    await run(integration);
    host.rss = 60_000_000;
    host.clock += 999;
    const second = await run(integration);
    host.clock += 1;
    const third = await run(integration);
    expect(host.reads).toEqual(['/etc/os-release']);
    expect(second.contexts!.app!.app_memory).toBe(50_000_000);
    expect(third.contexts!.app!.app_memory).toBe(60_000_000);
  });

  it('keeps what the event already has', async () => {
    const event = await run(nodeContextIntegration(fakeHost()), { contexts: { runtime: { name: 'bun' }, app: { app_name: 'mine' } } });
    expect(event.contexts!.runtime).toEqual({ name: 'bun', version: 'v20.1.0' });
    expect(event.contexts!.app).toMatchObject({ app_name: 'mine', app_memory: 50_000_000 });
  });

  it('names the host as server_name, unless the event has one (the serverName option)', async () => {
    expect((await run(nodeContextIntegration(fakeHost()))).server_name).toBe('web-1');
    expect((await run(nodeContextIntegration(fakeHost()), { server_name: 'mine' })).server_name).toBe('mine');
    const nameless = await run(nodeContextIntegration(fakeHost({ hostname: () => { throw new Error('no'); } })));
    expect(nameless).not.toHaveProperty('server_name');
  });

  it('names macOS and Windows, and survives a host that throws', async () => {
    const mac = await run(nodeContextIntegration(fakeHost({ type: () => 'Darwin', release: () => '23.1.0' })));
    expect(mac.contexts!.os).toEqual({ name: 'macOS', kernel_version: '23.1.0' });
    const windows = await run(nodeContextIntegration(fakeHost({ type: () => 'Windows_NT', release: () => '10.0.22631' })));
    expect(windows.contexts!.os).toEqual({ name: 'Windows', version: '10.0.22631' });
    const broken = await run(nodeContextIntegration(fakeHost({ cpus: () => { throw new Error('no'); }, totalmem: () => { throw new Error('no'); } })));
    expect(broken.contexts!.device).not.toHaveProperty('memory_size');
  });

  it('gives contexts that validate on this machine', async () => {
    const event = await run(nodeContextIntegration(), { event_id: 'a'.repeat(32), timestamp: Date.now() / 1000, platform: 'node' });
    expect(event.contexts!.runtime!.version).toBe(process.version);
    expect(event.contexts!.device!.arch).toBe(os.arch());
    expect(validateEvent(event as never)).toEqual([]);
  });
});

describe('parseOsRelease', () => {
  it('reads quoted and unquoted values and skips comments', () => {
    expect(parseOsRelease('# c\nNAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n')).toEqual({ NAME: 'Alpine Linux', ID: 'alpine', VERSION_ID: '3.19.1' });
  });
});
