import { exceptionFromError, isErrorLike, safeGet } from '../exception';
import type { Integration } from '../integration';
import { logger } from '../logger';
import { createStackParser, type StackParser } from '../stack-parser';
import type { Event, EventHint, Exception } from '../types';

export interface LinkedErrorsOptions {
  /** The property that holds the cause (default 'cause'). */
  key?: string;
  /**
   * The most linked exceptions added besides the thrown one (default 5, as Sentry), so an event
   * holds at most `limit + 1` exceptions.
   */
  limit?: number;
}

const DEFAULT_KEY = 'cause';
const DEFAULT_LIMIT = 5;

interface Walk {
  stackParser: StackParser;
  key: string;
  max: number;
  visited: Set<unknown>;
  /** In the order found: the thrown one first; reversed at the end. */
  found: Exception[];
}

let fallbackParser: StackParser | undefined;

/**
 * Adds the errors behind the thrown one: its `cause` chain, the `errors` of an AggregateError (or
 * of any error with an `errors` array) and the `error`/`suppressed` pair of a SuppressedError.
 * `exception.values` ends up root cause first and the thrown error last, with Sentry's exception
 * group fields (`exception_id`, `parent_id`, `source`, `is_exception_group`) on the mechanisms.
 * Cycles stop the walk; values that are not errors become exceptions too but are not walked into.
 */
export function linkedErrorsIntegration(options: LinkedErrorsOptions = {}): Integration {
  const key = typeof options.key === 'string' && options.key !== '' ? options.key : DEFAULT_KEY;
  const limit =
    typeof options.limit === 'number' && options.limit >= 0 ? Math.floor(Math.min(options.limit, 1000)) : DEFAULT_LIMIT;
  return {
    name: 'LinkedErrors',
    processEvent(event, hint, client) {
      try {
        const stackParser = (safeGet(client?.getOptions?.(), 'stackParser') as StackParser | undefined) ?? defaultParser();
        return addLinkedErrors(event, hint, { key, limit, stackParser });
      } catch (error) {
        logger.error('LinkedErrors failed; the event goes without its causes:', error);
        return event;
      }
    },
  };
}

function defaultParser(): StackParser {
  fallbackParser ??= createStackParser();
  return fallbackParser;
}

function addLinkedErrors(
  event: Event,
  hint: EventHint | undefined,
  options: { key: string; limit: number; stackParser: StackParser },
): Event {
  const values = event.exception?.values;
  const thrown = values?.[values.length - 1];
  const original = safeGet(hint, 'originalException');
  if (!values || !thrown || options.limit === 0 || !isErrorLike(original)) return event;

  const walk: Walk = { ...options, max: options.limit + 1, visited: new Set([original]), found: [thrown] };
  walkChildren(original, 0, walk);
  if (walk.found.length === 1) return event;
  event.exception = { values: [...values.slice(0, -1), ...walk.found.reverse()] };
  return event;
}

/** Depth first, as Sentry's `aggregateExceptionsFromError`: a cause chain before the siblings. */
function walkChildren(error: object, id: number, walk: Walk): void {
  const cause = safeGet(error, walk.key);
  if (cause !== undefined && cause !== null) addChild(cause, walk.key, id, walk, false);

  const errors = safeGet(error, 'errors');
  if (isArray(errors)) {
    const length = Number(safeGet(errors, 'length')) || 0;
    for (let i = 0; i < length && walk.found.length < walk.max; i++) {
      addChild(safeGet(errors, i), `errors[${i}]`, id, walk, true);
    }
  }

  if (isSuppressedError(error)) {
    for (const source of ['error', 'suppressed']) addChild(safeGet(error, source), source, id, walk, false);
  }
}

function addChild(child: unknown, source: string, parentId: number, walk: Walk, fromGroup: boolean): void {
  if (walk.found.length >= walk.max) return;
  // A child that is an object already seen (a cycle, or the same error twice) is left out.
  if (child !== null && typeof child === 'object') {
    if (walk.visited.has(child)) return;
    walk.visited.add(child);
  }
  markParent(parentId, walk, fromGroup);
  const id = walk.found.length;
  const exception = exceptionFromError(child, walk.stackParser);
  exception.mechanism = {
    type: 'chained',
    handled: true,
    source,
    exception_id: id,
    parent_id: parentId,
  };
  walk.found.push(exception);
  if (isErrorLike(child)) walkChildren(child, id, walk);
}

function markParent(id: number, walk: Walk, isGroup: boolean): void {
  const parent = walk.found[id];
  if (!parent) return;
  parent.mechanism = {
    ...(parent.mechanism ?? { type: 'auto.core.linked_errors', handled: true }),
    exception_id: id,
  };
  if (isGroup) parent.mechanism.is_exception_group = true;
}

function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    // A revoked Proxy.
    return false;
  }
}

function isSuppressedError(error: object): boolean {
  const name = safeGet(error, 'name');
  if (name === 'SuppressedError') return true;
  try {
    const SuppressedErrorCtor = (globalThis as { SuppressedError?: new (...args: never[]) => unknown }).SuppressedError;
    return typeof SuppressedErrorCtor === 'function' && error instanceof SuppressedErrorCtor;
  } catch {
    return false;
  }
}
