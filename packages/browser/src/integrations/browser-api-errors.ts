import { wrapMethod, type Integration } from '@faultline/core';
import { wrapCallback, wrapperOf } from '../wrap-callback';

export interface BrowserApiErrorsOptions {
  setTimeout?: boolean;
  setInterval?: boolean;
  requestAnimationFrame?: boolean;
  /** `addEventListener` on every EventTarget (window, document, elements, XHR, WebSocket, …). */
  eventTarget?: boolean;
  /** The `onload`, `onerror`, `onprogress` and `onreadystatechange` handlers of an XHR at `send()`. */
  xhr?: boolean;
}

const XHR_HANDLERS = ['onload', 'onerror', 'onprogress', 'onreadystatechange'] as const;

type Listener = EventListenerOrEventListenerObject | null | undefined;

/**
 * Wraps the callbacks given to timers, `requestAnimationFrame`, `addEventListener` and XHR handlers,
 * so an error thrown in one is captured with its full stack (`mechanism.type` `instrument`,
 * `handled: false`). Everything else about the calls stays as it was; `close()` undoes the wrapping,
 * except that `removeEventListener` keeps finding wrapped listeners added before (it would otherwise
 * no longer be able to remove them).
 */
export function browserApiErrorsIntegration(options: BrowserApiErrorsOptions = {}, win: typeof globalThis = globalThis): Integration {
  const undo: Array<() => void> = [];
  const timer = (name: 'setTimeout' | 'setInterval' | 'requestAnimationFrame'): void => {
    if (options[name] === false) return;
    undo.push(
      wrapMethod(win, name, (original) =>
        function (this: unknown, callback: unknown, ...rest: unknown[]) {
          return original.call(this, wrapCallback(callback, { type: 'instrument', data: { function: name } }), ...rest);
        },
      ),
    );
  };

  return {
    name: 'BrowserApiErrors',
    setupOnce() {
      timer('setTimeout');
      timer('setInterval');
      timer('requestAnimationFrame');
      const target = win.EventTarget?.prototype;
      if (target && options.eventTarget !== false) {
        undo.push(
          wrapMethod(target, 'addEventListener', (original) =>
            function (this: EventTarget, type: string, listener: Listener, ...rest: unknown[]) {
              const handler = wrapCallback(listener, { type: 'instrument', data: { function: 'addEventListener', handler: type } });
              return original.call(this, type, handler, ...rest);
            },
          ),
        );
        // Not undone: see above. A listener may have been added before wrapping, so both go.
        wrapMethod(target, 'removeEventListener', (original) =>
          function (this: EventTarget, type: string, listener: Listener, ...rest: unknown[]) {
            const wrapper = wrapperOf(listener);
            if (wrapper) original.call(this, type, wrapper, ...rest);
            return original.call(this, type, listener, ...rest);
          },
        );
      }
      const xhr = win.XMLHttpRequest?.prototype;
      if (xhr && options.xhr !== false) {
        undo.push(
          wrapMethod(xhr, 'send', (original) =>
            function (this: XMLHttpRequest, ...args: unknown[]) {
              for (const name of XHR_HANDLERS) {
                const handler = this[name];
                if (typeof handler === 'function') {
                  this[name] = wrapCallback(handler, { type: 'instrument', data: { function: name } }) as never;
                }
              }
              return original.apply(this, args);
            },
          ),
        );
      }
    },
    teardown() {
      for (const done of undo.splice(0)) done();
    },
  };
}
