import { cleanEvent } from './event-limits';
import { fitToSize } from './event-trim';
import { exoticValue } from './exotic-values';
import { objectMessage } from './object-message';
import { validateOptions, type ClientOptions } from './options';

/**
 * The pipeline pieces that the npm packages' `init` pass to `initAndBind` and the CDN bundle leaves
 * out for its size: option validation with one warning per bad value, every field of an event
 * checked against the protocol's schema and bounded, the size policy that gives up the least to fit
 * an event, readable forms of rare values (boxed primitives, RegExps, React and Vue objects) and
 * Sentry's wording for thrown plain objects. The client works without them (see `ClientOptions`).
 */
export const fullPipeline: Pick<ClientOptions, 'validateOptions' | 'cleanEvent' | 'fitEvent' | 'exoticValue' | 'objectMessage'> = {
  validateOptions,
  cleanEvent,
  fitEvent: fitToSize,
  exoticValue,
  objectMessage,
};
