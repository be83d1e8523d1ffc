import * as Faultline from '@faultline/browser';

// The DSN comes from the page's URL here (?dsn=…); a real app writes its own DSN.
const dsn = new URLSearchParams(location.search).get('dsn') ?? undefined;
Faultline.init({ dsn, release: 'bundler-example@1.0.0', environment: 'development' });
Faultline.setUser({ id: 'u-1', email: 'ada@example.com' });

function checkout(cart) {
  if (!cart.items.length) throw new Error('the cart is empty');
}

document.querySelector('#checkout').addEventListener('click', function onCheckout() {
  checkout({ items: [] });
});

document.querySelector('#report').addEventListener('click', () => {
  try {
    checkout({ items: [] });
  } catch (error) {
    const id = Faultline.captureException(error);
    document.querySelector('#event-id').textContent = id;
  }
});
