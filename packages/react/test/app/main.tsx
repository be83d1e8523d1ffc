// The React app the browser tests load, bundled once with React 18 and once with React 19 against the
// built @faultline/react. `?scenario=<name>` picks what it renders; `?dsn=` is the receiver.
import { ErrorBoundary, flush, init, reactErrorHandler, withErrorBoundary, type FallbackProps } from '@faultline/react';
import { Component, version, type ReactNode } from 'react';
import { createRoot, type RootOptions } from 'react-dom/client';

interface TestApp {
  /** While true, <Thrower> throws when it renders. */
  broken: boolean;
  /** Throws only on its first render, then renders (React 19 recovers from it). */
  throwOnce: boolean;
  reactVersion: string;
  /** What the app's callbacks saw, in order. */
  calls: Array<{ name: string; eventId?: string; componentStack?: boolean; message?: string }>;
  flush(timeoutMs: number): Promise<boolean>;
}

declare global {
  interface Window {
    app: TestApp;
  }
}

const params = new URLSearchParams(location.search);
init({ dsn: params.get('dsn') ?? undefined, release: 'react-test@1.0.0' });

const app: TestApp = { broken: true, throwOnce: false, reactVersion: version, calls: [], flush };
window.app = app;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function Thrower({ label }: { label: string }): ReactNode {
  if (app.broken) throw new Error(`${label} failed to render`);
  if (app.throwOnce) {
    app.throwOnce = false;
    throw new Error(`${label} failed once`);
  }
  return <p id="content">{label} rendered</p>;
}

function Panel({ label }: { label: string }): ReactNode {
  return (
    <section>
      <Thrower label={label} />
    </section>
  );
}

/** Throws what `make` returns: anything can be thrown, not only a fresh Error. */
function ThrowValue({ make }: { make: () => unknown }): ReactNode {
  throw make();
}

const frozen = Object.freeze(new Error('a frozen error'));

function FallbackView({ error, componentStack, eventId, resetError }: FallbackProps): ReactNode {
  return (
    <div id="fallback">
      <p id="message">{messageOf(error)}</p>
      <code id="event-id">{eventId}</code>
      <pre id="component-stack">{componentStack}</pre>
      <button id="reset" type="button" onClick={resetError}>
        Try again
      </button>
    </div>
  );
}

/** A boundary that is not Faultline's, as apps have (react-error-boundary and the like). */
class PlainBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    return this.state.failed ? <p id="fallback">Plain boundary fallback</p> : this.props.children;
  }
}

const PanelWithBoundary = withErrorBoundary(Panel, {
  fallback: ({ eventId }) => <p id="fallback">Wrapped fallback {eventId}</p>,
  onError: (error, componentStack, eventId) => app.calls.push({ name: 'onError', eventId, componentStack: componentStack !== '', message: messageOf(error) }),
});

const rootHandlers: RootOptions = {
  onUncaughtError: reactErrorHandler((error, errorInfo, eventId) => {
    app.calls.push({ name: 'onUncaughtError', eventId, componentStack: !!errorInfo.componentStack, message: messageOf(error) });
  }),
  onCaughtError: reactErrorHandler(),
  onRecoverableError: reactErrorHandler(),
};

const scenarios: Record<string, { element: ReactNode; options?: RootOptions }> = {
  'fallback-render': {
    element: (
      <ErrorBoundary
        fallback={FallbackView}
        beforeCapture={(scope, error, componentStack) => {
          scope.setTag('area', 'checkout');
          app.calls.push({ name: 'beforeCapture', componentStack: componentStack !== '', message: messageOf(error) });
        }}
        onError={(error, componentStack, eventId) => app.calls.push({ name: 'onError', eventId, componentStack: componentStack !== '', message: messageOf(error) })}
        onReset={(error, _componentStack, eventId) => app.calls.push({ name: 'onReset', eventId, message: messageOf(error) })}
      >
        <Panel label="Checkout" />
      </ErrorBoundary>
    ),
  },
  'fallback-element': {
    element: (
      <ErrorBoundary fallback={<p id="fallback">Something went wrong</p>}>
        <Panel label="Cart" />
      </ErrorBoundary>
    ),
  },
  'callback-throws': {
    element: (
      <ErrorBoundary
        fallback={<p id="fallback">Still rendered</p>}
        beforeCapture={() => {
          throw new Error('beforeCapture is broken');
        }}
        onError={() => {
          throw new Error('onError is broken');
        }}
      >
        <Panel label="Profile" />
      </ErrorBoundary>
    ),
  },
  'unusual-values': {
    element: (['string', 'cause', 'frozen'] as const).map((kind) => (
      <ErrorBoundary key={kind} fallback={({ error }) => <p className="fallback">{messageOf(error)}</p>}>
        <ThrowValue
          make={() =>
            kind === 'string' ? 'a plain string' : kind === 'frozen' ? frozen : new Error('the outer error', { cause: new Error('the inner error') })
          }
        />
      </ErrorBoundary>
    )),
  },
  'with-error-boundary': { element: <PanelWithBoundary label="Orders" /> },
  'root-uncaught': { element: <Panel label="Dashboard" />, options: rootHandlers },
  'root-caught-by-faultline': {
    element: (
      <ErrorBoundary fallback={FallbackView}>
        <Panel label="Search" />
      </ErrorBoundary>
    ),
    options: rootHandlers,
  },
  'root-caught-by-other': {
    element: (
      <PlainBoundary>
        <Panel label="Settings" />
      </PlainBoundary>
    ),
    options: rootHandlers,
  },
  'root-recoverable': { element: <Panel label="Feed" />, options: rootHandlers },
};

const scenario = scenarios[params.get('scenario') ?? ''];
if (params.get('scenario') === 'root-recoverable') {
  app.broken = false;
  app.throwOnce = true;
}
if (scenario) createRoot(document.getElementById('root')!, scenario.options).render(scenario.element);
