import type { Client } from './client';
import type { Event, EventHint } from './types';

/**
 * An integration is a plain object made by a factory function:
 *   export const dedupeIntegration = (): Integration => ({ name: 'Dedupe', processEvent(event) {...} })
 * `setupOnce` runs once per process for a name (global hooks); `setup` once per client;
 * `processEvent` for each event (return null to drop it); `teardown` on `close()`, where every
 * global hook must be undone.
 */
export interface Integration {
  name: string;
  setupOnce?(): void;
  setup?(client: Client): void;
  processEvent?(event: Event, hint: EventHint, client: Client): Event | null | PromiseLike<Event | null>;
  teardown?(): void;
}
