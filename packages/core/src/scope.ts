import { guard } from './guard';
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

type MutableScopeData = ScopeData & { breadcrumbs: Breadcrumb[] };

/**
 * Never written: every scope copies it before its first write. Frozen, so that a caller writing into
 * what `getData()` returned cannot leak into every other scope.
 */
const freeze = Object.freeze;
const EMPTY = freeze({ tags: freeze({}), extra: freeze({}), contexts: freeze({}), breadcrumbs: freeze([]) }) as unknown as MutableScopeData;
const NO_PROCESSORS = freeze([]) as unknown as EventProcessor[];

/**
 * Data that ends up on events: user, tags, extra, contexts, breadcrumbs and more. Three scopes are
 * merged into each event: global, then isolation (one per request), then current (one per `withScope`).
 */
export class Scope {
  // Copy-on-write: a new scope starts on the shared empty data, and after a clone this scope and its
  // copy share `_data` and `_processors` until one of them writes. A request that sets nothing pays
  // for no copies: its fork is two small objects.
  private _data = EMPTY;
  private _processors: EventProcessor[] = NO_PROCESSORS;
  private _sharedData = true;
  private _sharedProcessors = true;
  private _lastEventId: string | undefined;
  private _client: Client | undefined;

  /** A copy that can change without touching this scope (breadcrumbs and maps are copied on write). */
  clone(): Scope {
    const copy = new Scope();
    copy._data = this._data;
    copy._processors = this._processors;
    copy._sharedData = this._sharedData = true;
    copy._sharedProcessors = this._sharedProcessors = true;
    copy._lastEventId = this._lastEventId;
    copy._client = this._client;
    return copy;
  }

  /** The data, this scope's own from here on. */
  private _own(): MutableScopeData {
    if (this._sharedData) {
      const data = this._data;
      // Object.assign rather than spreads: these are written to (see ./stack-parser.ts frameFor).
      this._data = Object.assign({}, data, {
        tags: Object.assign({}, data.tags),
        extra: Object.assign({}, data.extra),
        contexts: Object.assign({}, data.contexts),
        breadcrumbs: [...data.breadcrumbs], // not slice(): see addEventProcessor
      });
      this._sharedData = false;
    }
    return this._data;
  }

  setClient(client: Client | undefined): void {
    this._client = client;
  }

  getClient<C extends Client = Client>(): C | undefined {
    return this._client as C | undefined;
  }

  setUser(user: User | null | undefined): this {
    // A copy, taken now under guard: merging a hostile value (a Proxy, a string) into every event
    // later would throw, or spread a long string into millions of keys.
    this._own().user = typeof user === 'object' && user !== null ? guardedCopy(user) : undefined;
    return this;
  }

  getUser(): User | undefined {
    return this._data.user;
  }

  setTag(key: string, value: unknown): this {
    const text = typeof key === 'string' ? guard(() => String(value)) : undefined;
    if (text !== undefined) this._own().tags[key] = text;
    return this;
  }

  setTags(tags: Record<string, unknown>): this {
    for (const key in tags) this.setTag(key, tags[key]);
    return this;
  }

  setExtra(key: string, value: unknown): this {
    if (typeof key === 'string') this._own().extra[key] = value;
    return this;
  }

  setExtras(extras: Record<string, unknown>): this {
    for (const key in extras) this.setExtra(key, extras[key]);
    return this;
  }

  setContext(name: string, context: Context | null | undefined): this {
    if (typeof name !== 'string') return this;
    if (context == null) delete this._own().contexts[name];
    else this._own().contexts[name] = context;
    return this;
  }

  setLevel(level: SeverityLevel | undefined): this {
    this._own().level = level;
    return this;
  }

  setFingerprint(fingerprint: string[] | undefined): this {
    this._own().fingerprint = fingerprint;
    return this;
  }

  setTransactionName(name: string | undefined): this {
    this._own().transactionName = name;
    return this;
  }

  /** Request data for events captured in this scope (set by the framework integrations). */
  setRequest(request: RequestData | undefined): this {
    this._own().request = request;
    return this;
  }

  setLastEventId(id: string | undefined): void {
    this._lastEventId = id;
  }

  lastEventId(): string | undefined {
    return this._lastEventId;
  }

  addBreadcrumb(breadcrumb: Breadcrumb, maxBreadcrumbs = 100): this {
    const crumbs = this._own().breadcrumbs;
    crumbs.push(breadcrumb);
    // Not a number (an option nobody validated): the default, so the list never grows without bound.
    crumbs.splice(0, crumbs.length - (maxBreadcrumbs >= 0 ? maxBreadcrumbs : 100));
    return this;
  }

  getLastBreadcrumb(): Breadcrumb | undefined {
    const crumbs = this._data.breadcrumbs;
    return crumbs[crumbs.length - 1];
  }

  clearBreadcrumbs(): this {
    this._own().breadcrumbs = [];
    return this;
  }

  addEventProcessor(processor: EventProcessor): this {
    // A spread, not slice() and push: V8 slices a frozen array (NO_PROCESSORS) on a slow path, about five
    // times dearer, and a framework's request handler adds a processor to every request's scope.
    if (this._sharedProcessors) this._processors = [...this._processors, processor];
    else this._processors.push(processor);
    this._sharedProcessors = false;
    return this;
  }

  /** Sets many fields at once; `context` is what `captureException(e, { tags, user, ... })` passes. */
  update(context: Partial<ScopeContext> | undefined): this {
    if (!context || typeof context !== 'object') return this;
    const { user, tags, extra, contexts, level, fingerprint } = context;
    if (user) this.setUser(user);
    if (tags) this.setTags(tags);
    if (extra) this.setExtras(extra);
    for (const name in contexts) this.setContext(name, contexts[name]);
    if (level) this.setLevel(level);
    if (fingerprint) this.setFingerprint(fingerprint);
    return this;
  }

  clear(): this {
    this._data = EMPTY;
    this._processors = NO_PROCESSORS;
    this._sharedData = this._sharedProcessors = true;
    return this;
  }

  /** The fields merged into events; read-only for `applyScopesToEvent`. */
  getData(): ScopeData {
    return { ...this._data };
  }

  /** The event processors added to this scope, in order. */
  getEventProcessors(): readonly EventProcessor[] {
    return this._processors;
  }
}

/**
 * Merges the scopes (global, then isolation, then current: later ones win) onto the event. Fields the
 * event already has win over the scopes, as in Sentry, except `level`, which a scope overrides.
 * Breadcrumbs are concatenated in scope order and capped at `maxBreadcrumbs`.
 */
export function applyScopesToEvent(event: Event, scopes: readonly Scope[], maxBreadcrumbs: number): void {
  // The scopes' own maps until a second scope adds to one: most events merge one non-empty scope.
  const merged: Partial<Record<(typeof MERGED)[number], object>> = {};
  let transaction: string | undefined;
  let crumbs: readonly Breadcrumb[] = event.breadcrumbs?.values ?? [];
  for (const scope of scopes) {
    const data = scope.getData();
    for (const key of MERGED) {
      const part = data[key];
      // An empty map from the scopes adds nothing to the event.
      if (part && !isEmpty(part)) merged[key] = merged[key] ? Object.assign({}, merged[key], part) : part;
    }
    if (data.level) event.level = data.level;
    if (data.fingerprint) event.fingerprint = [...(event.fingerprint ?? []), ...data.fingerprint];
    transaction = data.transactionName || transaction;
    if (data.breadcrumbs.length) crumbs = crumbs.concat(data.breadcrumbs);
  }
  const target = event as Record<string, unknown>;
  // Object.assign rather than a spread: processors write to these (see ./stack-parser.ts frameFor).
  for (const key in merged) target[key] = Object.assign({}, merged[key as keyof typeof merged], target[key]);
  if (transaction && !event.transaction) event.transaction = transaction;
  if (crumbs.length && maxBreadcrumbs > 0) event.breadcrumbs = { values: crumbs.slice(-maxBreadcrumbs) };
}

const MERGED = ['user', 'request', 'tags', 'extra', 'contexts'] as const;

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}


// A user has a handful of fields; more than this is not a user object.
const MAX_USER_KEYS = 1000;

/** Own enumerable fields, at most MAX_USER_KEYS; undefined for arrays and typed arrays, or when reading throws. */
function guardedCopy<T extends object>(value: T): T | undefined {
  return guard(() => {
    if (Array.isArray(value) || ArrayBuffer.isView(value)) return undefined;
    const copy: Record<string, unknown> = {};
    let count = 0;
    for (const key in value) {
      if (count++ >= MAX_USER_KEYS) break;
      if (key !== '__proto__' && Object.prototype.hasOwnProperty.call(value, key)) copy[key] = (value as Record<string, unknown>)[key];
    }
    return copy as T;
  });
}
