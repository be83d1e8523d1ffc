export {
  addBreadcrumb,
  addIntegration,
  captureEvent,
  captureException,
  captureMessage,
  close,
  dedupeIntegration,
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
  SeverityLevel,
  StackFrame,
  User,
} from '@faultline/core';
export { breadcrumbsIntegration } from './integrations/breadcrumbs';
export type { BreadcrumbsOptions } from './integrations/breadcrumbs';
export { browserApiErrorsIntegration } from './integrations/browser-api-errors';
export type { BrowserApiErrorsOptions } from './integrations/browser-api-errors';
export { globalHandlersIntegration } from './integrations/global-handlers';
export type { GlobalHandlersOptions } from './integrations/global-handlers';
export { httpContextIntegration } from './integrations/http-context';
export { getDefaultIntegrations, init, initWithTransport, SDK_NAME } from './sdk';
export type { BrowserOptions } from './sdk';
export { defaultStackParser } from './stack-parser';
export { makeBrowserTransport } from './transport/browser-transport';
export type { BrowserTransportOptions } from './transport/browser-transport';
export type { OfflineStoreOptions } from './transport/offline-store';
export { wrapCallback as wrap } from './wrap-callback';
