export {
  addBreadcrumb,
  addIntegration,
  captureEvent,
  captureException,
  captureMessage,
  close,
  flush,
  getClient,
  lastEventId,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
} from './api';
export type { CaptureContext } from './api';
export {
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  getScopes,
  setAsyncContextStrategy,
  withIsolationScope,
  withScope,
} from './carrier';
export type { AsyncContextStrategy, ScopePair } from './carrier';
export { Client } from './client';
export { clientReportEnvelope, createClientReports } from './client-reports';
export { deferredCodeLoading, registerDeferredCode } from './deferred-code';
export { dsnToString, envelopeEndpoint, parseDsn } from './dsn';
export type { Dsn } from './dsn';
export { createEnvelope, itemTypeToCategory, parseEnvelope, serializeEnvelope } from './envelope';
export type { Envelope, EnvelopeHeader, EnvelopeItem, EnvelopeItemHeader, EnvelopeItemType } from './envelope';
export { uuid4 } from './event-id';
export { guard } from './guard';
export { eventFromMessage, eventFromUnknown, exceptionFromError } from './exception';
export type { Integration } from './integration';
export { dedupeIntegration } from './integrations/dedupe';
export { inboundFiltersIntegration } from './integrations/inbound-filters';
export type { InboundFiltersOptions } from './integrations/inbound-filters';
export { linkedErrorsIntegration } from './integrations/linked-errors';
export type { LinkedErrorsOptions } from './integrations/linked-errors';
export { logger, warnOnce } from './logger';
export { normalizeEvent } from './event-limits';
export { fullPipeline } from './full-pipeline';
export { normalize } from './normalize';
export { validateOptions } from './options';
export type { ClientOptions, Options } from './options';
export { toRequestData } from './request-data';
export type { IncomingRequest, RequestDataOptions } from './request-data';
export { applyScopesToEvent, Scope } from './scope';
export { DEFAULT_DENY_FIELDS } from './scrub';
export type { EventProcessor, ScopeContext, ScopeData } from './scope';
export { getCoreIntegrations, initAndBind, resolveIntegrations } from './sdk';
export { createStackParser, defaultIsInApp } from './stack-parser';
export type { StackParser, StackParserOptions } from './stack-parser';
export { retryWithBackoff } from './transport/sender';
export type { RetryFactory, RetryPolicy } from './transport/sender';
export { createBaseTransport, createTransport } from './transport/transport';
export type { DroppedEnvelope, EnvelopeStore, StoredEnvelope } from './transport/store';
export type {
  RequestExecutor,
  RetryOptions,
  Transport,
  TransportEnv,
  TransportFactory,
  TransportOptions,
  TransportRequest,
  TransportResponse,
} from './transport/transport';
export { isWrapped, unwrap, wrapMethod } from './wrap';
export type {
  Breadcrumb,
  BreadcrumbHint,
  Context,
  DataCategory,
  DiscardReason,
  Event,
  EventHint,
  Exception,
  Mechanism,
  RequestData,
  SdkInfo,
  SeverityLevel,
  StackFrame,
  Stacktrace,
  User,
} from './types';
