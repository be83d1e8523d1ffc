export { requestHandler } from './request-handler';
export { defaultShouldHandleError, errorHandler } from './error-handler';
export type { ErrorHandlerOptions } from './error-handler';
export type { ExpressRequest, ExpressResponse, NextFunction } from './types';
