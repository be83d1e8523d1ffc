export {
  addBreadcrumb,
  addIntegration,
  captureEvent,
  captureException,
  captureMessage,
  close,
  dedupeIntegration,
  DEFAULT_DENY_FIELDS,
  flush,
  getClient,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  inboundFiltersIntegration,
  lastEventId,
  linkedErrorsIntegration,
  Scope,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withIsolationScope,
  withScope,
} from '@faultline/core';
export type {
  Breadcrumb,
  BreadcrumbHint,
  CaptureContext,
  Client,
  Event,
  EventHint,
  Exception,
  Integration,
  Options,
  SeverityLevel,
  StackFrame,
  StackParser,
  Transport,
  TransportOptions,
  User,
} from '@faultline/core';
export { createAsyncLocalStorageStrategy } from './async-context';
export { consoleIntegration } from './integrations/console';
export type { ConsoleIntegrationOptions, ConsoleMethod } from './integrations/console';
export { contextLinesIntegration } from './integrations/context-lines';
export type { ContextLinesOptions } from './integrations/context-lines';
export { flushBeforeExitIntegration } from './integrations/flush-before-exit';
export { httpIntegration } from './integrations/http';
export type { HttpIntegrationOptions } from './integrations/http';
export { nodeContextIntegration } from './integrations/node-context';
export { onUncaughtExceptionIntegration } from './integrations/on-uncaught-exception';
export { onUnhandledRejectionIntegration } from './integrations/on-unhandled-rejection';
export type { OnUnhandledRejectionOptions, UnhandledRejectionsMode } from './integrations/on-unhandled-rejection';
export { getDefaultIntegrations, init } from './sdk';
export type { NodeOptions } from './sdk';
export { defaultStackParser } from './stack-parser';
export { makeNodeTransport } from './transport';
export type { NodeTransportOptions } from './transport';
