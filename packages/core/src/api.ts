// The errors API, with the names, arguments and return values of @sentry/browser and @sentry/node,
// so that moving over means changing an import. None of these functions throws.
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
  return capture((client, hint, scope) => client.captureException(exception, { syntheticException: exception instanceof Error ? undefined : new Error('Faultline syntheticException'), ...hint }, scope), hintOrContext);
}

export function captureMessage(message: string, levelOrContext?: SeverityLevel | CaptureContext): string {
  const level = typeof levelOrContext === 'string' ? levelOrContext : undefined;
  const context = typeof levelOrContext === 'string' ? undefined : levelOrContext;
  return capture((client, hint, scope) => client.captureMessage(message, level ?? 'info', hint, scope), context);
}

export function captureEvent(event: Event, hint?: EventHint): string {
  return capture((client, h, scope) => client.captureEvent(event, h, scope), hint);
}

function capture(run: (client: Client, hint: EventHint, scope: Scope) => string, hintOrContext: EventHint | CaptureContext | undefined): string {
  try {
    const isolation = getIsolationScope();
    const client = getClient();
    if (!client) {
      const id = uuid4();
      isolation.setLastEventId(id);
      return id;
    }
    let id: string;
    if (isCaptureContext(hintOrContext)) {
      id = withScope((scope) => {
        applyCaptureContext(scope, hintOrContext);
        return run(client, {}, scope);
      });
    } else {
      id = run(client, hintOrContext ?? {}, getCurrentScope());
    }
    isolation.setLastEventId(id);
    return id;
  } catch (error) {
    logger.error('Capture failed:', error);
    return uuid4();
  }
}

function isCaptureContext(value: unknown): value is CaptureContext {
  if (!value) return false;
  if (value instanceof Scope || typeof value === 'function') return true;
  return typeof value === 'object' && Object.keys(value).some((key) => CONTEXT_KEYS.includes(key));
}

function applyCaptureContext(scope: Scope, context: CaptureContext): void {
  if (typeof context === 'function') {
    context(scope);
  } else if (context instanceof Scope) {
    const data = context.getData();
    scope.update({ ...data, user: data.user, level: data.level, fingerprint: data.fingerprint });
  } else {
    scope.update(context);
  }
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

export async function flush(timeoutMs?: number): Promise<boolean> {
  const client = getClient();
  if (!client) return true;
  try {
    return await client.flush(timeoutMs);
  } catch {
    return false;
  }
}

export async function close(timeoutMs?: number): Promise<boolean> {
  const client = getClient();
  if (!client) return true;
  try {
    return await client.close(timeoutMs);
  } catch {
    return false;
  }
}

export function addIntegration(integration: Integration): void {
  getClient()?.addIntegration(integration);
}
