import type { Client } from './client';
import type { Breadcrumb, Context, Event, EventHint, RequestData, SeverityLevel, User } from './types';

export type EventProcessor = (event: Event, hint: EventHint) => Event | null | PromiseLike<Event | null>;

/** What `withScope`, `captureException(e, context)` and friends may set for one event. */
export interface ScopeContext {
  user: User;
  level: SeverityLevel;
  extra: Record<string, unknown>;
  contexts: Record<string, Context>;
  tags: Record<string, string>;
  fingerprint: string[];
}

const DEFAULT_MAX_BREADCRUMBS = 100;

/**
 * Data that ends up on events: user, tags, extra, contexts, breadcrumbs and more. Three scopes are
 * merged into each event: global, then isolation (one per request), then current (one per `withScope`).
 */
export class Scope {
  private _user: User | undefined;
  private _tags: Record<string, string> = {};
  private _extra: Record<string, unknown> = {};
  private _contexts: Record<string, Context> = {};
  private _breadcrumbs: Breadcrumb[] = [];
  private _processors: EventProcessor[] = [];
  private _level: SeverityLevel | undefined;
  private _fingerprint: string[] | undefined;
  private _transactionName: string | undefined;
  private _request: RequestData | undefined;
  private _lastEventId: string | undefined;
  private _client: Client | undefined;

  /** A copy that can change without touching this scope (breadcrumbs and maps are copied). */
  clone(): Scope {
    const copy = new Scope();
    copy._user = this._user;
    copy._tags = { ...this._tags };
    copy._extra = { ...this._extra };
    copy._contexts = { ...this._contexts };
    copy._breadcrumbs = this._breadcrumbs.slice();
    copy._processors = this._processors.slice();
    copy._level = this._level;
    copy._fingerprint = this._fingerprint;
    copy._transactionName = this._transactionName;
    copy._request = this._request;
    copy._lastEventId = this._lastEventId;
    copy._client = this._client;
    return copy;
  }

  setClient(client: Client | undefined): void {
    this._client = client;
  }

  getClient<C extends Client = Client>(): C | undefined {
    return this._client as C | undefined;
  }

  setUser(user: User | null | undefined): this {
    this._user = user ?? undefined;
    return this;
  }

  getUser(): User | undefined {
    return this._user;
  }

  setTag(key: string, value: unknown): this {
    if (typeof key === 'string') this._tags = { ...this._tags, [key]: String(value) };
    return this;
  }

  setTags(tags: Record<string, unknown>): this {
    for (const key of Object.keys(tags ?? {})) this.setTag(key, tags[key]);
    return this;
  }

  setExtra(key: string, value: unknown): this {
    if (typeof key === 'string') this._extra = { ...this._extra, [key]: value };
    return this;
  }

  setExtras(extras: Record<string, unknown>): this {
    if (extras && typeof extras === 'object') this._extra = { ...this._extra, ...extras };
    return this;
  }

  setContext(name: string, context: Context | null | undefined): this {
    if (typeof name !== 'string') return this;
    const next = { ...this._contexts };
    if (context == null) delete next[name];
    else next[name] = context;
    this._contexts = next;
    return this;
  }

  setLevel(level: SeverityLevel | undefined): this {
    this._level = level;
    return this;
  }

  setFingerprint(fingerprint: string[] | undefined): this {
    this._fingerprint = fingerprint;
    return this;
  }

  setTransactionName(name: string | undefined): this {
    this._transactionName = name;
    return this;
  }

  /** Request data for events captured in this scope (set by the framework integrations). */
  setRequest(request: RequestData | undefined): this {
    this._request = request;
    return this;
  }

  setLastEventId(id: string | undefined): void {
    this._lastEventId = id;
  }

  lastEventId(): string | undefined {
    return this._lastEventId;
  }

  addBreadcrumb(breadcrumb: Breadcrumb, maxBreadcrumbs = DEFAULT_MAX_BREADCRUMBS): this {
    if (maxBreadcrumbs <= 0) return this;
    const crumbs = this._breadcrumbs;
    crumbs.push(breadcrumb);
    if (crumbs.length > maxBreadcrumbs) crumbs.splice(0, crumbs.length - maxBreadcrumbs);
    return this;
  }

  getLastBreadcrumb(): Breadcrumb | undefined {
    return this._breadcrumbs[this._breadcrumbs.length - 1];
  }

  clearBreadcrumbs(): this {
    this._breadcrumbs = [];
    return this;
  }

  addEventProcessor(processor: EventProcessor): this {
    this._processors.push(processor);
    return this;
  }

  /** Sets many fields at once; `context` is what `captureException(e, { tags, user, ... })` passes. */
  update(context: Partial<ScopeContext> | undefined): this {
    if (!context || typeof context !== 'object') return this;
    if (context.user) this.setUser(context.user);
    if (context.tags) this.setTags(context.tags);
    if (context.extra) this.setExtras(context.extra);
    if (context.contexts) for (const [name, value] of Object.entries(context.contexts)) this.setContext(name, value);
    if (context.level) this.setLevel(context.level);
    if (context.fingerprint) this.setFingerprint(context.fingerprint);
    return this;
  }

  clear(): this {
    this._user = undefined;
    this._tags = {};
    this._extra = {};
    this._contexts = {};
    this._breadcrumbs = [];
    this._processors = [];
    this._level = undefined;
    this._fingerprint = undefined;
    this._transactionName = undefined;
    this._request = undefined;
    return this;
  }

  /** The fields merged into events; read-only for `applyScopesToEvent`. */
  getData(): ScopeData {
    return {
      user: this._user,
      tags: this._tags,
      extra: this._extra,
      contexts: this._contexts,
      breadcrumbs: this._breadcrumbs,
      level: this._level,
      fingerprint: this._fingerprint,
      transactionName: this._transactionName,
      request: this._request,
    };
  }

  /** The event processors added to this scope, in order. */
  getEventProcessors(): readonly EventProcessor[] {
    return this._processors;
  }
}

export interface ScopeData {
  user: User | undefined;
  tags: Record<string, string>;
  extra: Record<string, unknown>;
  contexts: Record<string, Context>;
  breadcrumbs: readonly Breadcrumb[];
  level: SeverityLevel | undefined;
  fingerprint: string[] | undefined;
  transactionName: string | undefined;
  request: RequestData | undefined;
}

/**
 * Merges the scopes (global, then isolation, then current: later ones win) onto the event. Fields the
 * event already has win over the scopes, as in Sentry, except `level`, which a scope overrides.
 * Breadcrumbs are concatenated in scope order and capped at `maxBreadcrumbs`.
 */
export function applyScopesToEvent(event: Event, scopes: readonly Scope[], maxBreadcrumbs: number): void {
  let user: User | undefined;
  let tags: Record<string, string> | undefined;
  let extra: Record<string, unknown> | undefined;
  let contexts: Record<string, Context> | undefined;
  let request: RequestData | undefined;
  let transaction: string | undefined;
  let crumbs: Breadcrumb[] = event.breadcrumbs?.values ?? [];
  for (const scope of scopes) {
    const data = scope.getData();
    if (data.user) user = { ...user, ...data.user };
    if (hasKeys(data.tags)) tags = { ...tags, ...data.tags };
    if (hasKeys(data.extra)) extra = { ...extra, ...data.extra };
    if (hasKeys(data.contexts)) contexts = { ...contexts, ...data.contexts };
    if (data.request) request = { ...request, ...data.request };
    if (data.level) event.level = data.level;
    if (data.fingerprint) event.fingerprint = [...(event.fingerprint ?? []), ...data.fingerprint];
    if (data.transactionName) transaction = data.transactionName;
    if (data.breadcrumbs.length) crumbs = crumbs.concat(data.breadcrumbs);
  }
  if (user) event.user = { ...user, ...event.user };
  if (tags) event.tags = { ...tags, ...event.tags };
  if (extra) event.extra = { ...extra, ...event.extra };
  if (contexts) event.contexts = { ...contexts, ...event.contexts };
  if (request) event.request = { ...request, ...event.request };
  if (transaction && !event.transaction) event.transaction = transaction;
  if (crumbs.length && maxBreadcrumbs > 0) {
    event.breadcrumbs = { values: crumbs.length > maxBreadcrumbs ? crumbs.slice(-maxBreadcrumbs) : crumbs };
  }
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
