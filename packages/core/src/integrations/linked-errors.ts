import { exceptionFromError, isErrorLike, type EventFromUnknownOptions } from '../exception';
import { safeGet } from '../normalize';
import type { Integration } from '../integration';
import { guard } from '../guard';
import { createStackParser, type StackParser } from '../stack-parser';
import type { Exception } from '../types';

export interface LinkedErrorsOptions {
  /** The property that holds the cause (default 'cause'). */
  key?: string;
  /**
   * The most linked exceptions added besides the thrown one (default 5, as Sentry), so an event
   * holds at most `limit + 1` exceptions.
   */
  limit?: number;
}

interface Walk {
  describe: EventFromUnknownOptions;
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
  const key = typeof options.key === 'string' && options.key !== '' ? options.key : 'cause';
  // As Sentry, 5 by default.
  const limit = options.limit! >= 0 ? Math.floor(Math.min(options.limit!, 1000)) : 5;
  return {
    name: 'LinkedErrors',
    processEvent(event, hint, client) {
      const values = event.exception?.values;
      const thrown = values?.[values.length - 1];
      const original = safeGet(hint, 'originalException');
      if (!values || !thrown || !isErrorLike(original)) return event;
      // The client's options carry its stack parser and the full pipeline's pieces, if any.
      const clientOptions = guard(() => client.getOptions());
      const describe = clientOptions?.stackParser ? clientOptions : { stackParser: (fallbackParser ??= createStackParser()) };
      const walk: Walk = { describe, key, max: limit + 1, visited: new Set([original]), found: [thrown] };
      walkChildren(original, 0, walk);
      event.exception = { values: [...values.slice(0, -1), ...walk.found.reverse()] };
      return event;
    },
  };
}

/** Depth first, as Sentry's `aggregateExceptionsFromError`: a cause chain before the siblings. */
function walkChildren(error: object, id: number, walk: Walk): void {
  const cause = safeGet(error, walk.key);
  if (cause != null) addChild(cause, walk.key, id, walk);
  const errors = safeGet(error, 'errors');
  if (guard(() => Array.isArray(errors))) {
    const length = Number(safeGet(errors, 'length')) || 0;
    for (let i = 0; i < length && walk.found.length < walk.max; i++) addChild(safeGet(errors, i), `errors[${i}]`, id, walk, true);
  }
  if (safeGet(error, 'name') === 'SuppressedError') {
    for (const source of ['error', 'suppressed']) addChild(safeGet(error, source), source, id, walk);
  }
}

function addChild(child: unknown, source: string, parentId: number, walk: Walk, fromGroup?: boolean): void {
  const { found, visited } = walk;
  // A child that is an object already seen (a cycle, or the same error twice) is left out.
  if (found.length >= walk.max || visited.has(child)) return;
  if (typeof child === 'object' && child) visited.add(child);
  const parent = found[parentId]!;
  parent.mechanism = { type: 'auto.core.linked_errors', handled: true, ...parent.mechanism, exception_id: parentId };
  if (fromGroup) parent.mechanism.is_exception_group = true;
  const id = found.length;
  const exception = exceptionFromError(child, walk.describe);
  exception.mechanism = { type: 'chained', handled: true, source, exception_id: id, parent_id: parentId };
  found.push(exception);
  if (isErrorLike(child)) walkChildren(child, id, walk);
}
