// Everything @faultline/browser offers, so a React app imports from one place (as with @sentry/react),
// and the React parts.
export {
  addBreadcrumb,
  addIntegration,
  breadcrumbsIntegration,
  browserApiErrorsIntegration,
  captureEvent,
  captureException,
  captureMessage,
  close,
  dedupeIntegration,
  defaultStackParser,
  flush,
  getClient,
  getCurrentScope,
  getDefaultIntegrations,
  getGlobalScope,
  getIsolationScope,
  globalHandlersIntegration,
  httpContextIntegration,
  inboundFiltersIntegration,
  lastEventId,
  linkedErrorsIntegration,
  makeBrowserTransport,
  Scope,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withIsolationScope,
  withScope,
  wrap,
} from '@faultline/browser';
export type {
  Breadcrumb,
  BreadcrumbHint,
  BreadcrumbsOptions,
  BrowserApiErrorsOptions,
  BrowserOptions,
  BrowserTransportOptions,
  CaptureContext,
  Client,
  Event,
  EventHint,
  Exception,
  GlobalHandlersOptions,
  Integration,
  OfflineStoreOptions,
  SeverityLevel,
  StackFrame,
  User,
} from '@faultline/browser';
export { captureReactException } from './capture-react-exception';
export type { ReactErrorInfo } from './capture-react-exception';
export { ErrorBoundary } from './error-boundary';
export type { ErrorBoundaryProps, FallbackProps, FallbackRender } from './error-boundary';
export { reactErrorHandler } from './react-error-handler';
export { init, SDK_NAME } from './sdk';
export type { RootErrorInfo } from './react-error-handler';
export { withErrorBoundary } from './with-error-boundary';
