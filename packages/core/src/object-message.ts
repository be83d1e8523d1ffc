import { constructorName, safeGet, truncate } from './normalize';

// The exception value for a thrown object that is no Error, in Sentry's wording, so issues read the
// same as users know them. Part of the full pipeline (./full-pipeline.ts); the CDN bundle says
// "Object captured as exception" (or the object's `message`) and sends the object in
// `extra.__serialized__` all the same.

/** Like Sentry's `getMessageForObject`: the name and message, or the class and some keys. */
export function objectMessage(value: object): string {
  const name = safeGet(value, 'name');
  const message = safeGet(value, 'message');
  if (typeof name === 'string') {
    const base = `'${truncate(name, 200)}' captured as exception`;
    return typeof message === 'string' ? `${base} with message '${message}'` : base;
  }
  if (typeof message === 'string') return message;
  const className = constructorName(value);
  return `${/^(Object|null prototype)$/.test(className) ? 'Object' : `'${className}'`} captured as exception with keys: ${keysForMessage(value)}`;
}

const MAX_KEYS_LENGTH = 40;
// Sorting needs every key; past this many, the sample stands for the whole.
const MAX_KEYS_SAMPLED = 1000;

/** Sorted keys joined, up to 40 characters, like Sentry's `extractExceptionKeysForMessage`. */
function keysForMessage(value: object): string {
  const keys: string[] = [];
  try {
    for (const key in value) {
      if (keys.length >= MAX_KEYS_SAMPLED) break;
      if (Object.prototype.hasOwnProperty.call(value, key)) keys.push(key);
    }
  } catch {
    if (!keys.length) return '[object keys could not be read]';
  }
  const [first, ...rest] = keys.sort();
  if (first === undefined) return '[object has no keys]';
  // As many whole keys as fit, without an ellipsis, as Sentry writes it.
  let joined = truncate(first, MAX_KEYS_LENGTH);
  for (const key of rest) {
    if (joined.length + key.length + 2 > MAX_KEYS_LENGTH) break;
    joined += `, ${key}`;
  }
  return joined;
}
