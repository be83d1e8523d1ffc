import { getGlobalScope, getIsolationScope } from './carrier';
import { createClientReports } from './client-reports';
import { envelopeEndpoint, parseDsn, type Dsn } from './dsn';
import { deferredCodeLoading, transportWhenLoaded } from './deferred-code';
import { createEnvelope, type Envelope } from './envelope';
import { uuid4 } from './event-id';
import { eventFromMessage, eventFromUnknown } from './exception';
import type { Integration } from './integration';
import { logger, warnOnce } from './logger';
import { boundEvent } from './event-bounds';
import { dropOverSize } from './event-trim';
import type { ClientOptions } from './options';
import { applyScopesToEvent, type EventProcessor, type Scope } from './scope';
import { createStormGuard, stormKey } from './storm';
import type { Transport } from './transport/transport';
import type { DataCategory, DiscardReason, Event, EventHint, SeverityLevel } from './types';

const CLIENT_REPORT_INTERVAL_MS = 60_000;
// Payload limit for one event item is 1 MiB (https://develop.sentry.dev/sdk/data-model/envelopes/#size-limits);
// keep headroom for the envelope and item headers.
const MAX_EVENT_BYTES = 1_000_000;
const DEFAULT_MAX_BREADCRUMBS = 100;
// Events wait for their (asynchronous) processing until the app's code yields: a loop capturing a
// million distinct errors in one go must not hold a million events. Far above any burst spread
// over requests; each event held is a few KiB.
const MAX_PROCESSING = 10_000;

/** Integration names whose global hooks are installed in this process (setupOnce ran). */
const installedOnce = new Set<string>();

/**
 * Turns captured values into events, runs them through the pipeline (scopes, processors,
 * integrations, sampling, beforeSend, size bounds) and hands them to the transport.
 * Capture calls never throw and never wait: the asynchronous part runs on its own and `flush` awaits it.
 */
export class Client {
  private readonly _options: ClientOptions;
  private readonly _dsn: Dsn | undefined;
  private readonly _transport: Transport | undefined;
  private readonly _integrations = new Map<string, Integration>();
  private readonly _reports = createClientReports();
  private readonly _inFlight = new Set<PromiseLike<unknown>>();
  /** Events built and not yet handed to the transport. */
  private _processing = 0;
  private readonly _storm = createStormGuard();
  private _reportTimer: ReturnType<typeof setTimeout> | undefined;
  private _closed = false;

  constructor(options: ClientOptions) {
    this._options = options;
    if (options.debug) logger.enable();
    this._dsn = parseDsn(options.dsn);
    if (options.dsn === undefined) {
      warnOnce('No DSN given: events will not be sent. Pass `dsn` to init() or set FAULTLINE_DSN.');
    } else if (!this._dsn) {
      warnOnce(`The DSN ${JSON.stringify(String(options.dsn))} is not valid: events will not be sent.`);
    }
    if (this._dsn && options.enabled !== false) {
      try {
        // Made once the code only events need is loaded, which an ES module app does after start-up
        // (./deferred-code.ts): making one may call into it.
        this._transport = transportWhenLoaded(options.transport)({
          ...options.transportOptions,
          url: envelopeEndpoint(this._dsn, options.sdk.name, options.sdk.version, options.tunnel),
          recordDroppedEvent: (reason, category, quantity) => this.recordDroppedEvent(reason, category, quantity),
        });
      } catch (error) {
        logger.error('The transport could not be created:', error);
      }
    }
  }

  getOptions(): ClientOptions {
    return this._options;
  }

  getDsn(): Dsn | undefined {
    return this._dsn;
  }

  getTransport(): Transport | undefined {
    return this._transport;
  }

  /** Captures any thrown value; returns the event id (also when the event is later dropped). */
  captureException(exception: unknown, hint?: EventHint, scope?: Scope): string {
    return this._capture(hint, scope, (h) => eventFromUnknown(exception, h, this._options), exception, 'exception');
  }

  captureMessage(message: string, level?: SeverityLevel, hint?: EventHint, scope?: Scope): string {
    return this._capture(hint, scope, (h) => {
      if (this._options.attachStacktrace && !h.syntheticException) h.syntheticException = new Error(String(message));
      return eventFromMessage(message, level, h, this._options);
    }, message, 'message');
  }

  captureEvent(event: Event, hint?: EventHint, scope?: Scope): string {
    // Object.assign rather than a spread: fields are written to the copy (see ./stack-parser.ts frameFor).
    return this._capture(hint, scope, () => Object.assign({}, event), hint?.originalException, undefined, event?.event_id);
  }

  addIntegration(integration: Integration): void {
    if (!integration || typeof integration.name !== 'string' || this._integrations.has(integration.name)) return;
    this._integrations.set(integration.name, integration);
    try {
      if (integration.setupOnce && !installedOnce.has(integration.name)) {
        installedOnce.add(integration.name);
        integration.setupOnce();
      }
      integration.setup?.(this);
    } catch (error) {
      logger.error(`Integration ${integration.name} failed to set up:`, error);
    }
    logger.log(`Integration installed: ${integration.name}`);
  }

  getIntegrationByName<I extends Integration = Integration>(name: string): I | undefined {
    return this._integrations.get(name) as I | undefined;
  }

  /** Counts an event that was not sent, for the next client report. */
  recordDroppedEvent(reason: DiscardReason, category: DataCategory, quantity = 1): void {
    logger.log(`Dropped ${quantity} ${category} (${reason})`);
    this._reports.record(reason, category, quantity);
    if (this._reportTimer === undefined && this._transport && !this._closed) {
      this._reportTimer = setTimeout(() => {
        this._reportTimer = undefined;
        this._sendClientReport();
      }, CLIENT_REPORT_INTERVAL_MS);
      // A pending report must not keep a Node process alive (browsers return a number).
      (this._reportTimer as { unref?(): void }).unref?.();
    }
  }

  /** Resolves true when every event captured before the call has been sent, false at the timeout. */
  async flush(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    // A client report to send (its timer is set) needs the deferred code too (./deferred-code.ts); a
    // flush with nothing to send (at every exit) does not load it.
    const loading = this._reportTimer === undefined ? undefined : deferredCodeLoading();
    const processed = await settleWithin(loading ? [...this._inFlight, loading] : Array.from(this._inFlight), deadline);
    this._sendClientReport();
    if (!this._transport) return processed;
    const remaining = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    const sent = await this._transport.flush(remaining);
    return processed && sent;
  }

  /** Flushes, then stops capturing and removes every hook the integrations installed. */
  async close(timeoutMs?: number): Promise<boolean> {
    const result = await this.flush(timeoutMs);
    this.shutdown();
    return result;
  }

  /** Stops capturing and removes every hook the integrations installed, at once; no flush. */
  shutdown(): void {
    this._closed = true;
    if (this._reportTimer !== undefined) clearTimeout(this._reportTimer);
    this._reportTimer = undefined;
    for (const integration of this._integrations.values()) {
      try {
        integration.teardown?.();
      } catch (error) {
        logger.error(`Integration ${integration.name} failed to tear down:`, error);
      }
      installedOnce.delete(integration.name);
    }
    this._integrations.clear();
  }

  /**
   * The synchronous part of every capture: everything that depends on "now" (scope state, time) is
   * read here; the rest runs on its own and `flush` awaits it. Never throws.
   */
  private _capture(
    userHint: EventHint | undefined,
    scope: Scope | undefined,
    build: (hint: EventHint) => Event,
    original: unknown,
    kind?: 'exception' | 'message',
    givenId?: unknown,
  ): string {
    let eventId = typeof givenId === 'string' && /^[0-9a-f]{32}$/.test(givenId) ? givenId : undefined;
    try {
      const hint: EventHint = Object.assign({}, userHint, { originalException: original });
      eventId = hint.event_id ?? eventId ?? uuid4();
      hint.event_id = eventId;
      if (this._closed || this._options.enabled === false) return eventId;
      const key = kind && stormKey(original, kind);
      if (key !== undefined && !this._storm.allow(key)) {
        this.recordDroppedEvent('backpressure', 'error');
        return eventId;
      }
      // Options may not have been validated (the CDN bundle): only a number samples.
      const sampleRate = this._options.sampleRate;
      if (typeof sampleRate === 'number' && Math.random() >= sampleRate) {
        this.recordDroppedEvent('sample_rate', 'error');
        return eventId;
      }
      if (this._processing >= MAX_PROCESSING) {
        this.recordDroppedEvent('buffer_overflow', 'error');
        return eventId;
      }
      const task = deferredCodeLoading()
        ? buildWhenLoaded(this, hint, scope, build, (event, scopes, processors) => this._finish(this._prepareEvent(event, hint, scopes), hint, processors))
        : this._finish(this._prepareEvent(build(hint), hint, scopesFor(scope)), hint, collectProcessors(scope));
      this._processing++;
      this._inFlight.add(task);
      void task.then(() => {
        this._processing--;
        this._inFlight.delete(task);
      });
    } catch (error) {
      logger.error('Capture failed:', error);
      this.recordDroppedEvent('internal_sdk_error', 'error');
    }
    return eventId ?? uuid4();
  }

  private _prepareEvent(event: Event, hint: EventHint, scopes: Scope[]): Event {
    const options = this._options;
    event.timestamp ??= Date.now() / 1000;
    event.platform ??= options.platform;
    event.level ??= 'error';
    event.environment ??= options.environment ?? 'production';
    event.release ??= options.release;
    event.dist ??= options.dist;
    event.server_name ??= options.serverName;
    event.event_id = hint.event_id;
    event.sdk = { ...options.sdk, integrations: Array.from(this._integrations.keys()) };
    // Anything but a number (an option nobody validated) means the default.
    const max = options.maxBreadcrumbs!;
    applyScopesToEvent(event, scopes, max >= 0 ? max : DEFAULT_MAX_BREADCRUMBS);
    return event;
  }

  private async _finish(prepared: Event, hint: EventHint, processors: EventProcessor[]): Promise<void> {
    // The capture call returns before any processor runs.
    await undefined;
    let event: Event | null = prepared;
    // Awaiting only a promise: an await is a turn of the microtask queue and two promises, per step.
    for (const processor of processors) {
      const result = guarded(() => processor(event!, hint), event);
      event = result instanceof Promise ? await result : (result as Event | null);
      if (!event) return this.recordDroppedEvent('event_processor', 'error');
    }
    for (const integration of this._integrations.values()) {
      const result = guarded(() => integration.processEvent?.(event!, hint, this), event, integration.name);
      event = result instanceof Promise ? await result : (result as Event | null);
      if (!event) return this.recordDroppedEvent('event_processor', 'error');
    }
    const beforeSend = this._options.beforeSend;
    if (typeof beforeSend === 'function') {
      try {
        event = await beforeSend(event, hint);
      } catch (error) {
        logger.error('beforeSend threw; the event is dropped:', error);
        event = null;
      }
      if (!event || typeof event !== 'object') return this.recordDroppedEvent('before_send', 'error');
    }
    const { normalizeDepth, maxValueLength, denyFields, sendDefaultPii, exoticValue, cleanEvent = boundEvent, fitEvent = dropOverSize } = this._options;
    const cleaned = cleanEvent(event, { depth: normalizeDepth, maxValueLength, denyFields, sendDefaultPii, exoticValue });
    const bounded = fitEvent(cleaned, MAX_EVENT_BYTES, true);
    if (!bounded) return this.recordDroppedEvent('send_error', 'error');
    this._send(createEnvelope(this._envelopeHeader(bounded.event_id), [[{ type: 'event' }, bounded]]));
  }

  /** The envelope header; undefined fields are left out when it is written. */
  private _envelopeHeader(eventId?: string): Envelope[0] {
    const { sdk, tunnel, dsn } = this._options;
    return { event_id: eventId, sdk: { name: sdk.name, version: sdk.version }, dsn: tunnel ? dsn : undefined };
  }

  private _send(envelope: Envelope): void {
    if (!this._transport) return;
    const sending = Promise.resolve(this._transport.send(envelope)).catch((error) => logger.error('Send failed:', error));
    this._inFlight.add(sending);
    void sending.then(() => this._inFlight.delete(sending));
  }

  private _sendClientReport(): void {
    if (!this._transport) return;
    const report = this._reports.take();
    if (!report) return;
    const send = (): PromiseLike<void> => this._transport!.send(createEnvelope(this._envelopeHeader(), [[{ type: 'client_report' }, report]]));
    // Envelopes are made by the deferred code, which may still be loading (./deferred-code.ts).
    const loading = deferredCodeLoading();
    void (loading ? loading.then(send) : Promise.resolve(send())).catch(() => undefined);
  }
}

/**
 * A capture in an ES module app's first seconds, while the code that builds events is still loading
 * (./deferred-code.ts): what depends on the moment is taken at the call (the time, a copy of the
 * scopes, a stack for the frames), and the event is built once the code is there.
 */
async function buildWhenLoaded(
  client: Client,
  hint: EventHint,
  scope: Scope | undefined,
  build: (hint: EventHint) => Event,
  finish: (event: Event, scopes: Scope[], processors: EventProcessor[]) => Promise<void>,
): Promise<void> {
  const timestamp = Date.now() / 1000;
  const scopes = scopesFor(scope).map((each) => each.clone());
  const processors = collectProcessors(scope);
  // What a message with attachStacktrace, or a thrown value without a stack, takes its frames from.
  hint.syntheticException ??= new Error('Faultline syntheticException');
  try {
    await deferredCodeLoading();
    const event = build(hint);
    event.timestamp ??= timestamp;
    await finish(event, scopes, processors);
  } catch (error) {
    logger.error('Capture failed:', error);
    client.recordDroppedEvent('internal_sdk_error', 'error');
  }
}

function scopesFor(scope: Scope | undefined): Scope[] {
  const scopes = [getGlobalScope(), getIsolationScope()];
  if (scope && !scopes.includes(scope)) scopes.push(scope);
  return scopes;
}

function collectProcessors(scope: Scope | undefined): EventProcessor[] {
  const processors = [...getGlobalScope().getEventProcessors(), ...getIsolationScope().getEventProcessors()];
  if (scope && scope !== getIsolationScope()) processors.push(...scope.getEventProcessors());
  return processors;
}

/**
 * Runs an event processor or an integration's (named) `processEvent`; one that throws or rejects is
 * logged and skipped, keeping the event as it was.
 * A promise comes back as one of ours, which the caller can await without reading a hostile `then`.
 */
function guarded(
  run: () => Event | null | undefined | PromiseLike<Event | null>,
  fallback: Event,
  integration?: string,
): Event | null | PromiseLike<Event | null> {
  const settle = (result: Event | null | undefined): Event | null => (result === undefined ? fallback : result);
  const skip = (error: unknown): Event => {
    logger.error(`${integration ? `Integration ${integration}` : 'An event processor'} threw; it is skipped:`, error);
    return fallback;
  };
  try {
    const result = run();
    return typeof (result as PromiseLike<unknown> | null)?.then === 'function' ? Promise.resolve(result).then(settle, skip) : settle(result as Event | null);
  } catch (error) {
    return skip(error);
  }
}

/** Waits for all promises, or until the deadline; true when all settled in time. */
async function settleWithin(promises: PromiseLike<unknown>[], deadline: number | undefined): Promise<boolean> {
  if (!promises.length) return true;
  const all = Promise.allSettled(promises).then(() => true);
  if (deadline === undefined) return all;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const result = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return result;
}
