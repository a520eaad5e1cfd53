/**
 * The live saga dashboard. The order service serves this page and its live feed; the page itself reads
 * the other services (they allow it by CORS), because a service never calls another.
 *
 * - `GET /dashboard/stream` (Server-Sent Events): a snapshot of the latest orders, then each new saga step;
 * - `GET /dashboard/summary`: the outcome counters, refreshed when steps arrive;
 * - every few seconds: inventory's products, notification's recent e-mails, each service's readiness;
 * - under `npm run demo`, every second: the demo's instances, and its chaos panel (demo-panel.js).
 *
 * Every call but the readiness probes carries the admin token the page was opened with (`#token=`).
 */
import { DemoPanel } from './demo-panel.js';
import { authToken, every, getJson, streamEvents } from './dom.js';
import { OrdersView } from './orders-view.js';
import { OrderForm, ServicesTable, renderMails, renderSummary } from './panels.js';

const byId = (id) => document.getElementById(id);

async function main() {
  if (!authToken()) {
    throw new Error(
      'no admin token: open the URL `npm run demo` prints, or add #token=$(npm run -s token -- --admin)',
    );
  }
  const { peers, demoControl } = await getJson('/dashboard/config');
  const urls = { order: window.location.origin, ...peers };
  if (demoControl) {
    const demo = new DemoPanel({
      controlUrl: demoControl,
      panel: byId('demo-panel'),
      instances: byId('instances'),
      note: byId('instances-note'),
      events: byId('instance-events'),
      broker: byId('broker-state'),
      chaos: {
        panel: byId('chaos-panel'),
        instance: byId('chaos-instance'),
        kill: byId('chaos-kill'),
        seconds: byId('chaos-seconds'),
        freeze: byId('chaos-freeze'),
        database: byId('chaos-database'),
        cut: byId('chaos-cut'),
        topic: byId('chaos-topic'),
        poison: byId('chaos-poison'),
        result: byId('chaos-result'),
      },
    });
    every(1000, () => demo.refresh());
  }

  const form = new OrderForm({
    form: byId('order-form'),
    lines: byId('lines'),
    addLine: byId('add-line'),
    result: byId('place-result'),
    onPlaced: () => void refreshSummary(),
  });
  const orders = new OrdersView({
    list: byId('orders'),
    empty: byId('no-orders'),
    onCancel: (orderId) => void cancel(orderId),
  });
  const services = new ServicesTable(byId('services').tBodies[0], urls);
  const refreshSummary = every(5000, async () => {
    const summary = await getJson('/dashboard/summary');
    renderSummary(byId('counters'), summary);
    orders.setStuck(summary.stuck.orders);
  });
  const refreshMails = every(2000, async () => {
    const mails = await getJson(`${urls.notification}/notifications/recent?limit=20`);
    renderMails(byId('emails'), mails);
    orders.setMails(mails);
  });
  const refreshProducts = every(5000, async () =>
    form.setProducts(await getJson(`${urls.inventory}/products`)),
  );
  every(3000, () => services.refresh());

  async function cancel(orderId) {
    try {
      await getJson(`/orders/${orderId}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    } catch (error) {
      window.alert(`Not cancelled: ${error.message}`);
    }
  }

  // Counters, e-mails and stock follow the saga's steps; a burst of steps refreshes them once.
  let pending;
  const afterSteps = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      void refreshSummary();
      void refreshMails();
      void refreshProducts();
    }, 300);
  };

  const connection = byId('connection');
  // On each reconnection the server sends a fresh snapshot.
  streamEvents('/dashboard/stream', {
    onState: (state, detail) => {
      connection.dataset.state = state === 'refused' ? 'error' : state;
      connection.textContent =
        state === 'live'
          ? 'live'
          : state === 'refused'
            ? `refused: ${detail} (open the URL npm run demo prints for a new token)`
            : 'reconnecting…';
    },
    onMessage: (text) => {
      const data = JSON.parse(text);
      if (data.kind === 'snapshot') orders.snapshot(data.orders);
      else orders.steps(data.steps, data.orders);
      afterSteps();
    },
  });
}

main().catch((error) => {
  const connection = byId('connection');
  connection.dataset.state = 'error';
  connection.textContent = `failed to start: ${error.message}`;
});
