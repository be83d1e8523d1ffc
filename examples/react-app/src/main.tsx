// A small React 19 app reporting with @faultline/react. Run `npx faultline-inbox` in one terminal and
// `npm start` here in another (after `npm run build` at the repository root), then open
// http://127.0.0.1:8082/ and empty the cart.
import * as Faultline from '@faultline/react';
import { ErrorBoundary, reactErrorHandler, withErrorBoundary, type FallbackProps } from '@faultline/react';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

// The local inbox (`npx faultline-inbox`) unless the page says otherwise with ?dsn=.
const dsn = new URLSearchParams(location.search).get('dsn') ?? 'http://public@127.0.0.1:8969/1';
Faultline.init({ dsn, release: 'react-example@1.0.0', environment: 'development' });
Faultline.setUser({ id: 'u-1', email: 'ada@example.com' });

interface Item {
  name: string;
  price: number;
}

function Total({ items }: { items: Item[] }) {
  if (items.length === 0) throw new Error('the cart is empty');
  return <p id="total">Total: {items.reduce((sum, item) => sum + item.price, 0)} €</p>;
}

function Cart() {
  const [items, setItems] = useState<Item[]>([{ name: 'Tea', price: 4 }]);
  return (
    <section>
      <h2>Cart</h2>
      <Total items={items} />
      {/* Emptying the cart makes <Total> throw while rendering: the boundary shows its fallback. */}
      <button id="empty-cart" type="button" onClick={() => setItems([])}>
        Empty the cart
      </button>
    </section>
  );
}

function CartProblem({ eventId, resetError }: FallbackProps) {
  return (
    <section role="alert">
      <h2>The cart could not be shown</h2>
      <p>
        Support code: <code id="event-id">{eventId}</code>
      </p>
      <button id="retry" type="button" onClick={resetError}>
        Try again
      </button>
    </section>
  );
}

function Recommendations(): never {
  throw new Error('recommendations are unavailable');
}

// withErrorBoundary wraps a component once, for every place it is used.
const SafeRecommendations = withErrorBoundary(Recommendations, { fallback: <p id="no-recommendations">No recommendations today.</p> });

function App() {
  const [showRecommendations, setShowRecommendations] = useState(false);
  return (
    <main>
      <h1>Faultline React example</h1>
      <ErrorBoundary fallback={CartProblem} beforeCapture={(scope) => scope.setTag('area', 'cart')}>
        <Cart />
      </ErrorBoundary>
      <button id="recommend" type="button" onClick={() => setShowRecommendations(true)}>
        Show recommendations
      </button>
      {showRecommendations && <SafeRecommendations />}
    </main>
  );
}

// React 19 root options: errors outside any boundary, and those React recovered from, are reported too.
createRoot(document.getElementById('root')!, {
  onUncaughtError: reactErrorHandler((error, errorInfo) => console.error('Uncaught error', error, errorInfo.componentStack)),
  onCaughtError: reactErrorHandler(),
  onRecoverableError: reactErrorHandler(),
}).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
