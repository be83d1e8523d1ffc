import { getCurrentScope, getIsolationScope } from './carrier';
import { Client } from './client';
import { dedupeIntegration } from './integrations/dedupe';
import { inboundFiltersIntegration } from './integrations/inbound-filters';
import { linkedErrorsIntegration } from './integrations/linked-errors';
import type { Integration } from './integration';
import { guard } from './guard';
import { logger } from './logger';
import type { ClientOptions, Options } from './options';

/** The integrations every platform starts with. */
export function getCoreIntegrations(): Integration[] {
  return [inboundFiltersIntegration(), linkedErrorsIntegration(), dedupeIntegration()];
}

/**
 * The integrations to install: the defaults (unless `defaultIntegrations: false`) with the user's
 * `integrations` array added (a user one replaces a default of the same name), or whatever the user's
 * `integrations` function returns when given the defaults.
 */
export function resolveIntegrations(options: Pick<Options, 'integrations' | 'defaultIntegrations'>, defaults: Integration[]): Integration[] {
  const { integrations, defaultIntegrations } = options;
  const base = defaultIntegrations === false ? [] : Array.isArray(defaultIntegrations) ? defaultIntegrations : defaults;
  // An `integrations` function that throws or returns nonsense leaves the defaults.
  const chosen = typeof integrations === 'function' ? guard(() => integrations(base)) : [...base, ...(Array.isArray(integrations) ? integrations : [])];
  const byName = new Map<string, Integration>();
  for (const integration of Array.isArray(chosen) ? chosen : base) {
    if (typeof integration?.name === 'string') byName.set(integration.name, integration);
  }
  return [...byName.values()];
}

/** Validates the options (with the full pipeline's `validateOptions`), creates the client, makes it current and installs its integrations. */
export function initAndBind<C extends Client>(options: ClientOptions, ClientClass: new (options: ClientOptions) => C = Client as unknown as new (options: ClientOptions) => C): C {
  const valid = guard(() => options.validateOptions?.(options)) ?? options;
  if (valid.debug) logger.enable();
  const previous = getCurrentScope().getClient();
  if (previous) {
    // The old client's hooks go now, before the new client installs its own; what it still has
    // in flight is delivered in the background.
    previous.shutdown();
    void previous.flush(valid.shutdownTimeout ?? 2000);
  }
  const client = new ClientClass(valid);
  getCurrentScope().setClient(client);
  getIsolationScope().setClient(client);
  for (const integration of valid.integrations) client.addIntegration(integration);
  return client;
}
