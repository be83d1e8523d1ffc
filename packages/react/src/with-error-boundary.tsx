import type * as React from 'react';
import { ErrorBoundary, type ErrorBoundaryProps } from './error-boundary';

/** `Component` wrapped in an ErrorBoundary with `options` as its props; refs are not forwarded. */
export function withErrorBoundary<P extends object>(
  Component: React.ComponentType<P>,
  options: Omit<ErrorBoundaryProps, 'children'> = {},
): React.FC<P> {
  const name = Component.displayName || Component.name || 'unknown';
  const Wrapped: React.FC<P> = (props) => (
    <ErrorBoundary {...options}>
      <Component {...props} />
    </ErrorBoundary>
  );
  // What React DevTools and component stacks show.
  Wrapped.displayName = `errorBoundary(${name})`;
  return Wrapped;
}
