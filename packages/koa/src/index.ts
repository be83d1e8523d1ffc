export { defaultShouldHandleError, middleware } from './middleware';
export type { MiddlewareOptions } from './middleware';
export type { KoaContext, KoaNext } from './types';
