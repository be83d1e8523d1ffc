import { withScope, type Scope } from '@faultline/browser';
import { logger } from '@faultline/core';
import * as React from 'react';
import { captureReactException } from './capture-react-exception';

/** What a fallback render function is given. */
export interface FallbackProps {
  /** The value that was thrown (anything can be thrown, not only Errors). */
  error: unknown;
  componentStack: string;
  /** The id of the event sent for this error: a support code to show the user. */
  eventId: string;
  /** Forgets the error and renders the children again. */
  resetError(): void;
}

export type FallbackRender = (props: FallbackProps) => React.ReactNode;

export interface ErrorBoundaryProps {
  children?: React.ReactNode | (() => React.ReactNode);
  /** Rendered instead of the children once they threw; nothing is rendered without it. */
  fallback?: React.ReactNode | FallbackRender;
  /** Called after the error was captured, with the event's id. */
  onError?(error: unknown, componentStack: string, eventId: string): void;
  /** Called before the error is captured, with the scope of that one event (for tags, context, level). */
  beforeCapture?(scope: Scope, error: unknown, componentStack: string): void;
  /** Called when `resetError` runs, before the children render again. */
  onReset?(error: unknown, componentStack: string, eventId: string): void;
}

interface CaughtState {
  caught: true;
  error: unknown;
  componentStack: string;
  eventId: string;
}

type ErrorBoundaryState = CaughtState | { caught: false };

const INITIAL_STATE: ErrorBoundaryState = { caught: false };

/**
 * Catches what its children throw while rendering, in lifecycle methods and in constructors,
 * reports it once with the component stack (mechanism `react.errorboundary`, handled) and renders
 * `fallback` instead. Event handlers and async code are outside React's error boundaries; the
 * global handlers of @faultline/browser report those.
 */
export class ErrorBoundary extends React.Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = INITIAL_STATE;

  // Only componentDidCatch, no getDerivedStateFromError: the fallback then renders once, with the
  // event id already known (React renders nothing in between).
  override componentDidCatch(error: unknown, errorInfo: React.ErrorInfo): void {
    const componentStack = typeof errorInfo?.componentStack === 'string' ? errorInfo.componentStack : '';
    const { beforeCapture, onError } = this.props;
    const eventId = withScope((scope) => {
      if (beforeCapture) callSafely('beforeCapture', () => beforeCapture(scope, error, componentStack));
      return captureReactException(error, { componentStack }, { mechanism: { type: 'react.errorboundary', handled: true } });
    });
    if (onError) callSafely('onError', () => onError(error, componentStack, eventId));
    this.setState({ caught: true, error, componentStack, eventId });
  }

  resetError = (): void => {
    const { state } = this;
    const { onReset } = this.props;
    if (state.caught && onReset) callSafely('onReset', () => onReset(state.error, state.componentStack, state.eventId));
    this.setState(INITIAL_STATE);
  };

  override render(): React.ReactNode {
    const { state } = this;
    const { children, fallback } = this.props;
    if (state.caught) {
      if (typeof fallback !== 'function') return fallback ?? null;
      return fallback({ error: state.error, componentStack: state.componentStack, eventId: state.eventId, resetError: this.resetError });
    }
    return typeof children === 'function' ? children() : children;
  }
}

function callSafely(name: string, callback: () => void): void {
  try {
    callback();
  } catch (error) {
    logger.error(`ErrorBoundary ${name} threw:`, error);
  }
}
