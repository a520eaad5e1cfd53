import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { waitFor } from '@saga/common';
import { scrapeMetrics, type MetricsScrape } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';

type Scrapes = Record<ServiceName, MetricsScrape>;

/**
 * `GET /metrics` on every service, scraped before and after one confirmed order (and while it runs):
 * the counters of what each service did move by exactly what the saga did.
 */
describe('Prometheus metrics during a saga', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('metrics', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  const scrapeAll = async (): Promise<Scrapes> =>
    Object.fromEntries(
      await Promise.all(SERVICE_NAMES.map(async (s) => [s, await scrapeMetrics(saga.platform.url(s))])),
    ) as Scrapes;

  it('moves each service counters by what one confirmed order did, and reads backlog and lag as 0 once drained', async () => {
    // Arrange
    await saga.waitForDrain();
    const before = await scrapeAll();

    // Act
    const placed = await saga.placeOrder({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    const during = await scrapeAll(); // scraping while the saga runs answers too
    const order = await saga.waitForSettled(placed.body.orderId);
    await saga.waitForDrain();
    // The lag counts committed offsets: the last commit may follow the drain by a moment.
    const after = await waitFor(
      async () => {
        const scrapes = await scrapeAll();
        const lag = SERVICE_NAMES.map((s) => scrapes[s].sum('saga_consumer_lag'));
        if (lag.some((n) => n !== 0)) throw new Error(`lag per service: ${lag.join(', ')}`);
        return scrapes;
      },
      { timeoutMs: 20_000, what: 'every consumer lag to be 0' },
    );

    // Assert
    const moved = (service: ServiceName, name: string, labels: Record<string, string> = {}) =>
      after[service].sum(name, labels) - before[service].sum(name, labels);
    expect(order.status).toBe('CONFIRMED');
    expect(Object.keys(during).sort()).toEqual([...SERVICE_NAMES].sort());
    expect({
      confirmed: moved('order', 'saga_orders_settled_total', { outcome: 'confirmed' }),
      cancelled: moved('order', 'saga_orders_settled_total', { outcome: 'cancelled' }),
      durations: moved('order', 'saga_order_duration_seconds_count', { outcome: 'confirmed' }),
      placeRequests: moved('order', 'http_server_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status_code: '202',
      }),
    }).toEqual({ confirmed: 1, cancelled: 0, durations: 1, placeRequests: 1 });
    expect(after.order.sum('saga_order_duration_seconds_sum')).toBeGreaterThan(0);
    expect({
      order: moved('order', 'saga_outbox_published_total', { topic: 'order.events' }),
      payment: moved('payment', 'saga_outbox_published_total', { topic: 'payment.events' }),
      inventory: moved('inventory', 'saga_outbox_published_total', { topic: 'inventory.events' }),
      catalog: moved('inventory', 'saga_outbox_published_total', { topic: 'catalog.products' }),
      latencies: moved('order', 'saga_outbox_publish_latency_seconds_count'),
    }).toEqual({ order: 2, payment: 1, inventory: 1, catalog: 1, latencies: 2 });
    const applied = (service: ServiceName, eventType: string) => ({
      applied: moved(service, 'saga_events_applied_total', { event_type: eventType }),
      timed: moved(service, 'saga_handler_duration_seconds_count', {
        event_type: eventType,
        outcome: 'applied',
      }),
    });
    expect({
      'payment: order.placed': applied('payment', 'order.placed.v1'),
      'inventory: payment.authorized': applied('inventory', 'payment.authorized.v1'),
      'order: payment.authorized': applied('order', 'payment.authorized.v1'),
      'order: inventory.stock-reserved': applied('order', 'inventory.stock-reserved.v1'),
      'notification: order.confirmed': applied('notification', 'order.confirmed.v1'),
    }).toEqual({
      'payment: order.placed': { applied: 1, timed: 1 },
      'inventory: payment.authorized': { applied: 1, timed: 1 },
      'order: payment.authorized': { applied: 1, timed: 1 },
      'order: inventory.stock-reserved': { applied: 1, timed: 1 },
      'notification: order.confirmed': { applied: 1, timed: 1 },
    });
    for (const service of SERVICE_NAMES) {
      expect({
        service,
        backlog: after[service].matching('saga_outbox_backlog').map((s) => s.value),
        oldest: after[service].matching('saga_outbox_oldest_age_seconds').map((s) => s.value),
        retries: moved(service, 'saga_handler_retries_total'),
        deadLetters: moved(service, 'saga_dead_letters_total'),
        labelled: after[service].samples
          .filter((sample) => /^(saga|http)_/.test(sample.name))
          .every((sample) => sample.labels.service === service),
        processMetrics: after[service].sum('process_cpu_user_seconds_total') > 0,
      }).toEqual({
        service,
        backlog: [0],
        oldest: [0],
        retries: 0,
        deadLetters: 0,
        labelled: true,
        processMetrics: true,
      });
    }
    // A lag per consumed partition: payment reads order.events' six partitions.
    expect(
      after.payment
        .matching('saga_consumer_lag')
        .filter((s) => s.labels.topic.endsWith('order.events'))
        .map((s) => s.labels.partition)
        .sort(),
    ).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});
