import { unwrap } from './wrap';

// The debug logger: silent unless `debug: true`, writes through the original console methods (unwrapped,
// so our own console breadcrumbs never record it), and compiles away in the minified CDN bundle where
// __DEBUG_BUILD__ is false.

type Method = 'log' | 'warn' | 'error';
const PREFIX = '[Faultline]';

function print(method: Method, args: unknown[]): void {
  try {
    const target = (globalThis as { console?: Console }).console;
    const fn = target?.[method];
    if (typeof fn === 'function') unwrap(fn).call(target, PREFIX, ...args);
  } catch {
    // A console that throws must not take the app down with it.
  }
}

let enabled = false;

function write(method: Method, args: unknown[]): void {
  if (!__DEBUG_BUILD__ || !enabled) return;
  print(method, args);
}

export const logger = {
  enable(): void {
    enabled = true;
  },
  disable(): void {
    enabled = false;
  },
  isEnabled(): boolean {
    return enabled;
  },
  log: (...args: unknown[]): void => write('log', args),
  warn: (...args: unknown[]): void => write('warn', args),
  error: (...args: unknown[]): void => write('error', args),
};

/** A warning the user must see even without `debug` (a bad DSN, a bad option): once per message. */
const warned = new Set<string>();
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  print('warn', [message]);
}
