// The errors API, with the names, arguments and return values of @sentry/browser and @sentry/node,
// so that moving over means changing an import. None of these functions throws.
import { guard } from './guard';
import { getCurrentScope, getIsolationScope, withScope } from './carrier';
import type { Client } from './client';
import { uuid4 } from './event-id';
import type { Integration } from './integration';
import { logger } from './logger';
import { Scope, type ScopeContext } from './scope';
import type { Breadcrumb, BreadcrumbHint, Context, Event, EventHint, SeverityLevel, User } from './types';

/** Scope data for one capture: an object of scope fields, a Scope, or a function that edits a fork. */
export type CaptureContext = Partial<ScopeContext> | Scope | ((scope: Scope) => Scope | void);

const CONTEXT_KEYS = ['user', 'level', 'extra', 'contexts', 'tags', 'fingerprint'];

export function getClient<C extends Client = Client>(): C | undefined {
  return getCurrentScope().getClient<C>() ?? getIsolationScope().getClient<C>();
}

export function captureException(exception: unknown, hintOrContext?: EventHint | CaptureContext): string {
  return capture((client, hint, scope) => client.captureException(exception, { syntheticException: guard(() => exception instanceof Error) ? undefined : new Error('Faultline syntheticException'), ...hint }, scope), hintOrContext);
}

export function captureMessage(message: string, levelOrContext?: SeverityLevel | CaptureContext): string {
  const isLevel = typeof levelOrContext === 'string';
  return capture((client, hint, scope) => client.captureMessage(message, isLevel ? levelOrContext : 'info', hint, scope), isLevel ? undefined : levelOrContext);
}

export function captureEvent(event: Event, hint?: EventHint): string {
  return capture((client, h, scope) => client.captureEvent(event, h, scope), hint);
}

function capture(run: (client: Client, hint: EventHint, scope: Scope) => string, hintOrContext: EventHint | CaptureContext | undefined): string {
  let id: string | undefined;
  try {
    const client = getClient();
    if (client) {
      id = isCaptureContext(hintOrContext)
        ? withScope((scope) => {
            if (typeof hintOrContext === 'function') hintOrContext(scope);
            else scope.update(hintOrContext instanceof Scope ? hintOrContext.getData() : hintOrContext);
            return run(client, {}, scope);
          })
        : run(client, hintOrContext ?? {}, getCurrentScope());
    }
  } catch (error) {
    logger.error('Capture failed:', error);
  }
  id ??= uuid4();
  getIsolationScope().setLastEventId(id);
  return id;
}

function isCaptureContext(value: unknown): value is CaptureContext {
  return !!value && (value instanceof Scope || typeof value === 'function' || Object.keys(value).some((key) => CONTEXT_KEYS.includes(key)));
}

/** Records a breadcrumb on the isolation scope, through `beforeBreadcrumb`. */
export function addBreadcrumb(breadcrumb: Breadcrumb, hint?: BreadcrumbHint): void {
  try {
    if (!breadcrumb || typeof breadcrumb !== 'object') return;
    const options = getClient()?.getOptions();
    const max = options?.maxBreadcrumbs ?? 100;
    if (max <= 0) return;
    let crumb: Breadcrumb | null = { timestamp: Date.now() / 1000, ...breadcrumb };
    if (options?.beforeBreadcrumb) {
      try {
        crumb = options.beforeBreadcrumb(crumb, hint);
      } catch (error) {
        logger.error('beforeBreadcrumb threw; the breadcrumb is kept as it was:', error);
      }
    }
    if (crumb) getIsolationScope().addBreadcrumb(crumb, max);
  } catch (error) {
    logger.error('addBreadcrumb failed:', error);
  }
}

export function setUser(user: User | null): void {
  getIsolationScope().setUser(user);
}

export function setTag(key: string, value: unknown): void {
  getIsolationScope().setTag(key, value);
}

export function setTags(tags: Record<string, unknown>): void {
  getIsolationScope().setTags(tags);
}

export function setContext(name: string, context: Context | null): void {
  getIsolationScope().setContext(name, context);
}

export function setExtra(key: string, extra: unknown): void {
  getIsolationScope().setExtra(key, extra);
}

export function setExtras(extras: Record<string, unknown>): void {
  getIsolationScope().setExtras(extras);
}

/** The id of the last event captured in this isolation scope (this request, on servers). */
export function lastEventId(): string | undefined {
  return getIsolationScope().lastEventId();
}

export function flush(timeoutMs?: number): Promise<boolean> {
  return withClient((client) => client.flush(timeoutMs));
}

export function close(timeoutMs?: number): Promise<boolean> {
  return withClient((client) => client.close(timeoutMs));
}

/** true without a client; false when the client failed. */
async function withClient(run: (client: Client) => Promise<boolean>): Promise<boolean> {
  const client = getClient();
  try {
    return !client || (await run(client));
  } catch {
    return false;
  }
}

export function addIntegration(integration: Integration): void {
  getClient()?.addIntegration(integration);
}
