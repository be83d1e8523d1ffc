/** `fn()`, or undefined when it throws: for reads of hostile values and calls of user callbacks. */
export function guard<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
