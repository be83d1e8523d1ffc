// Never run: copied to browser.cts and browser.mts and type-checked as CommonJS and as ESM (strict,
// nodenext and bundler, DOM and no Node types) against the published
// declarations by test/release/packages.test.ts, using the browser packages the way their READMEs show.
import * as Browser from '@faultline/browser';
import { ErrorBoundary, init, reactErrorHandler, withErrorBoundary, type FallbackProps } from '@faultline/react';
import { createElement, type ReactNode } from 'react';

Browser.init({
  dsn: 'https://public@o1.example.com/1',
  integrations: (defaults) => [...defaults, Browser.breadcrumbsIntegration({ console: false })],
});
const eventId: string = Browser.captureException(new Error('boom'));
Browser.addBreadcrumb({ category: 'ui', message: `reported ${eventId}` });
document.querySelector('button')?.addEventListener('click', Browser.wrap(() => undefined, { type: 'instrument', handled: false }));

init({ dsn: 'https://public@o1.example.com/1' });
const fallback = ({ error, eventId: id }: FallbackProps): ReactNode => createElement('p', null, `${String(error)} (${id})`);
export const page = createElement(ErrorBoundary, { fallback }, createElement('main'));
export const Safe = withErrorBoundary(({ name }: { name: string }) => createElement('h1', null, name), { fallback: 'oops' });
export const onUncaughtError = reactErrorHandler((error, info, id) => console.error(error, info.componentStack, id));
