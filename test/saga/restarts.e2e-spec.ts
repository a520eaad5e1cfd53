import { SERVICE_NAMES } from '@saga/contracts';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

/** Four orders, one per outcome: confirmed, declined, out of stock, and one to cancel. */
const MIX = [
  { order: { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] }, ends: 'CONFIRMED' },
  { order: { customerId: 'poor', items: [{ sku: 'WIDGET', quantity: 1 }] }, ends: 'CANCELLED' },
  { order: { customerId: 'rich', items: [{ sku: 'NONE', quantity: 1 }] }, ends: 'CANCELLED' },
  { order: { customerId: 'rich', items: [{ sku: 'GADGET', quantity: 2 }] }, ends: 'CONFIRMED' },
] as const;

/**
 * A service stopped (as a deployment stops it) while sagas are in flight, more work queued for it while
 * it is down, then started again: every saga still settles where it should, and nothing is lost or
 * applied twice. Crashes (kill -9) are the fault tests' subject (issue 6).
 */
describe('each service stopped and restarted mid-saga', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('restarts', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it.each(SERVICE_NAMES)('settles every saga when %s restarts in the middle', async (service) => {
    // Arrange: sagas in flight when the service stops; while it is down (unless it is order, which
    // takes the requests) four more orders and a cancellation queue up for it.
    const placed = await Promise.all(MIX.map(({ order }) => saga.placeOrder(order)));
    await saga.platform.stopService(service);
    const whileDown =
      service === 'order' ? [] : await Promise.all(MIX.map(({ order }) => saga.placeOrder(order)));
    const toCancel = whileDown[3]?.body.orderId;
    const cancel = toCancel ? await saga.cancelOrder(toCancel) : undefined;

    // Act
    await saga.platform.startService(service);
    const ids = [...placed, ...whileDown].map((answer) => answer.body.orderId);
    await saga.waitForAllSettled(ids);
    if (toCancel) await saga.waitForSettled(toCancel, 60_000, 'CANCELLED');
    const orders = await Promise.all(ids.map((id) => saga.getOrder(id)));

    // Assert
    expect([...placed, ...whileDown].map((answer) => answer.status)).toEqual(ids.map(() => 202));
    if (cancel) expect(cancel.status).toBe(202);
    const expected = ids.map((id, i) => (id === toCancel ? 'CANCELLED' : MIX[i % MIX.length].ends));
    expect(orders.map((order) => order.status)).toEqual(expected);
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });
});
