import { SERVICE_NAMES } from '@saga/contracts';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

const mix = [
  { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] },
  { customerId: 'poor', items: [{ sku: 'WIDGET', quantity: 1 }] },
  { customerId: 'rich', items: [{ sku: 'NONE', quantity: 1 }] },
  { customerId: 'rich', items: [{ sku: 'GADGET', quantity: 2 }] },
];

/** A service stopped while sagas are in flight, then started again: every saga still settles. */
describe('each service stopped and restarted mid-saga', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('restarts', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it.each(SERVICE_NAMES)('settles every saga when %s restarts in the middle', async (service) => {
    // Arrange: sagas in flight when the service goes down, and (unless it is order) more placed while it is down
    const placed = await Promise.all(mix.map((order) => saga.placeOrder(order)));
    await saga.platform.stopService(service);
    if (service !== 'order') placed.push(...(await Promise.all(mix.map((order) => saga.placeOrder(order)))));
    const cancel = saga.platform.instance('order')
      ? await saga.cancelOrder(placed[3].body.orderId)
      : undefined;

    // Act
    await saga.platform.startService(service);
    const orders = await Promise.all(placed.map((answer) => saga.waitForSettled(answer.body.orderId)));

    // Assert
    expect(placed.every((answer) => answer.status === 202)).toBe(true);
    expect(orders.map((order) => order.status)).toContain('CANCELLED');
    if (cancel) expect([202, 409]).toContain(cancel.status);
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });
});
