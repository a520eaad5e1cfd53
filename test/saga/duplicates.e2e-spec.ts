import { SERVICE_NAMES, TOPICS, type ServiceName } from '@saga/contracts';
import { readToEnd } from '@saga/common';
import { scrapeMetrics, testKafka } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

type RawRecord = { key: string | null; value: Buffer | null; headers: Record<string, Buffer> };

/** At-least-once delivery: every event type arrives twice (the same record produced again); each applies once. */
describe('every event delivered twice', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('duplicates', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  /** What the duplicates must not change: money, stock, orders and their timelines, e-mails. */
  const state = async () => ({
    accounts: await saga.query('payment', 'SELECT customer_id, balance_cents FROM accounts ORDER BY 1'),
    ledger: await saga.query('payment', 'SELECT count(*) FROM account_entries'),
    products: await saga.query('inventory', 'SELECT sku, available, reserved FROM products ORDER BY 1'),
    orders: await saga.query('order', 'SELECT id, status FROM orders ORDER BY 1'),
    timeline: await saga.query('order', 'SELECT count(*) FROM order_timeline'),
    notifications: await saga.query('notification', 'SELECT order_id, kind FROM notifications ORDER BY 1, 2'),
    mails: saga.platform.smtp.mails.length,
  });

  it('applies each one once: same state, every copy counted as a duplicate, audit clean', async () => {
    // Arrange: sagas that between them produce every event type
    await saga.placeOrderAndWait({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    await saga.placeOrderAndWait({ customerId: 'poor', items: [{ sku: 'WIDGET', quantity: 1 }] });
    await saga.placeOrderAndWait({ customerId: 'rich', items: [{ sku: 'NONE', quantity: 1 }] });
    const cancelled = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [{ sku: 'GADGET', quantity: 1 }],
    });
    await saga.cancelOrder(cancelled.orderId);
    await saga.waitForSettled(cancelled.orderId, 60_000, 'CANCELLED');
    await saga.waitForDrain();
    const before = await state();
    const duplicatesBefore = Object.fromEntries(
      SERVICE_NAMES.map((s) => [s, saga.platform.instance(s)!.consumer.stats.duplicates]),
    ) as Record<ServiceName, number>;
    const records = new Map<string, RawRecord[]>();
    const topics = Object.values(TOPICS).map((t) => t.name);
    await readToEnd(
      testKafka(),
      topics.map((t) => `${saga.platform.topicPrefix}${t}`),
      (topic, _p, message) => {
        const logical = topic.slice(saga.platform.topicPrefix.length);
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, v as Buffer]),
        );
        records.set(logical, [
          ...(records.get(logical) ?? []),
          { key: message.key?.toString() ?? null, value: message.value, headers },
        ]);
      },
    );
    const types = new Set([...records.values()].flat().map((r) => r.headers.ce_type.toString()));

    // Act
    for (const [topic, messages] of records) await saga.produce(topic, messages);
    await saga.waitForDrain();

    // Assert
    expect([...types].sort()).toEqual([
      'catalog.product-updated.v2',
      'inventory.stock-released.v1',
      'inventory.stock-reservation-failed.v1',
      'inventory.stock-reserved.v1',
      'order.cancellation-requested.v1',
      'order.cancelled.v1',
      'order.confirmed.v1',
      'order.placed.v1',
      'payment.authorized.v1',
      'payment.failed.v1',
      'payment.refunded.v1',
    ]);
    await expect(state()).resolves.toEqual(before);
    for (const service of SERVICE_NAMES) {
      const { duplicates } = saga.platform.instance(service)!.consumer.stats;
      const scrape = await scrapeMetrics(saga.platform.url(service));
      expect({
        service,
        more: duplicates > duplicatesBefore[service],
        metric: scrape.sum('saga_inbox_duplicates_total'),
      }).toEqual({
        service,
        more: true,
        metric: duplicates, // GET /metrics counts each duplicate the inbox absorbed
      });
    }
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });
});
