import { waitFor } from '@saga/common';
import { scrapeMetrics } from '@saga/test-kit';
import { SagaHarness, type OrderView } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

/**
 * Stuck-saga detection, end to end: with payment down, an order stays PENDING past the deadline; the
 * order service flags it (GET /orders/:id, /metrics, the dashboard's summary) with the last step its
 * saga reached, and the flag goes once payment is back and the saga settles.
 */
describe('a stuck saga', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('stuck', SERVICES, SEED, {
      env: { SAGA_STUCK_AFTER_MS: '1000', SAGA_STUCK_CHECK_INTERVAL_MS: '100' },
    });
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it('is flagged with its last step while payment is down, and settles unflagged once payment is back', async () => {
    // Arrange
    await saga.platform.stopService('payment');

    // Act
    const placed = await saga.placeOrder({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    const { orderId } = placed.body;
    const stuck = await waitFor(
      async () => {
        const order = await saga.getOrder(orderId);
        return order.stuck ? order : undefined;
      },
      { timeoutMs: 15_000, what: `GET /orders/${orderId} to show it stuck` },
    );
    const metrics = await waitFor(
      async () => {
        const scrape = await scrapeMetrics(saga.platform.url('order'));
        return scrape.sum('saga_orders_flagged_stuck_total') === 1 ? scrape : undefined;
      },
      { timeoutMs: 15_000, what: 'the detector to flag the order' },
    );
    const summary = await saga.request<{ stuck: { count: number; orders: { orderId: string }[] } }>(
      'order',
      'GET',
      '/dashboard/summary',
    );
    await saga.platform.startService('payment');
    const settled = await saga.waitForSettled(orderId);

    // Assert
    expect(stuck).toMatchObject({
      status: 'PENDING',
      stuck: { lastStep: 'PLACED', deadlineMs: 1000, since: expect.any(String) },
    } satisfies Partial<OrderView>);
    expect(Date.parse(stuck.stuck!.since) - Date.parse(stuck.timeline[0].at)).toBeGreaterThanOrEqual(900);
    expect(metrics.sum('saga_orders_stuck')).toBe(1);
    expect(summary.body.stuck).toEqual({
      count: 1,
      orders: [expect.objectContaining({ orderId, lastStep: 'PLACED' })],
    });
    expect(settled.status).toBe('CONFIRMED');
    expect(settled.stuck).toBeUndefined();
    await expect(
      scrapeMetrics(saga.platform.url('order')).then((s) => s.sum('saga_orders_stuck')),
    ).resolves.toBe(0);
  });
});
