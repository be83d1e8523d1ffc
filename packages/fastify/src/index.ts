export { defaultShouldHandleError, plugin } from './plugin';
export type { PluginOptions } from './plugin';
export type { FastifyInstance, FastifyReply, FastifyRequest, HookDone } from './types';
