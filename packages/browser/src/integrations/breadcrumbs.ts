import { addBreadcrumb, getClient, type Integration } from '@faultline/core';
import { instrumentConsole } from '../breadcrumbs/console';
import { instrumentDom } from '../breadcrumbs/dom';
import { instrumentFetch } from '../breadcrumbs/fetch';
import { instrumentHistory } from '../breadcrumbs/history';
import type { RecordBreadcrumb } from '../breadcrumbs/record';
import { instrumentXhr } from '../breadcrumbs/xhr';

export interface BreadcrumbsOptions {
  console?: boolean;
  /** Clicks and key presses. */
  dom?: boolean;
  fetch?: boolean;
  xhr?: boolean;
  history?: boolean;
}

/** Breadcrumbs for console calls, clicks and key presses, fetch and XHR requests, and navigation. */
export function breadcrumbsIntegration(options: BreadcrumbsOptions = {}, win: typeof globalThis = globalThis): Integration {
  let undo: Array<() => void> = [];
  return {
    name: 'Breadcrumbs',
    setup(client) {
      const record: RecordBreadcrumb = (breadcrumb, hint) => {
        if (getClient() === client) addBreadcrumb(breadcrumb, hint);
      };
      if (options.console !== false) undo.push(instrumentConsole(record, win.console));
      if (options.dom !== false) undo.push(instrumentDom(record, win.document));
      if (options.fetch !== false) undo.push(instrumentFetch(record, win));
      if (options.xhr !== false) undo.push(instrumentXhr(record, win));
      if (options.history !== false) undo.push(instrumentHistory(record, win));
    },
    teardown() {
      undo.forEach((done) => done());
      undo = [];
    },
  };
}
