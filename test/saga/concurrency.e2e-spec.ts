import { SagaHarness } from '@saga/testing';
import { SERVICES, seededRandom } from './saga-fixtures';

const CUSTOMERS = 20;
const ORDERS = 200;
const STOCK = { PEN: 40, INK: 25, PAD: 15 } as const;

/**
 * 200 orders at once, competing for little stock with little money: the saga may turn many of them
 * down, but must never oversell, never lose or make money, and send exactly one e-mail per order.
 */
describe('200 concurrent orders on scarce stock and small balances', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('concurrency', SERVICES, {
      accounts: Array.from({ length: CUSTOMERS }, (_, i) => ({
        customerId: `c${i}`,
        balanceCents: 2_000 + i * 300,
        currency: 'EUR',
      })),
      products: Object.entries(STOCK).map(([sku, stock]) => ({
        sku,
        name: sku,
        priceCents: 450,
        currency: 'EUR',
        stock,
      })),
    });
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it('settles every order with no oversell, money conserved and one e-mail each', async () => {
    // Arrange
    const random = seededRandom(20261122);
    const skus = Object.keys(STOCK);
    const requests = Array.from({ length: ORDERS }, () => ({
      customerId: `c${Math.floor(random() * CUSTOMERS)}`,
      items: skus
        .filter(() => random() < 0.5)
        .map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) })),
    })).map((request) =>
      request.items.length ? request : { ...request, items: [{ sku: 'PEN', quantity: 1 }] },
    );

    // Act
    const placed = await Promise.all(requests.map((request) => saga.placeOrder(request)));
    const orders = await saga.waitForAllSettled(placed.map((answer) => answer.body.orderId));
    const report = await saga.audit();

    // Assert
    expect(placed.every((answer) => answer.status === 202)).toBe(true);
    expect(report.violations).toEqual([]);
    const confirmed = orders.filter((order) => order.status === 'CONFIRMED');
    const reasons = new Set(
      orders
        .filter((o) => o.status === 'CANCELLED')
        .map((o) => /INSUFFICIENT_FUNDS|OUT_OF_STOCK/.exec(o.reason ?? '')?.[0]),
    );
    expect(confirmed.length).toBeGreaterThan(0);
    expect(reasons).toEqual(new Set(['INSUFFICIENT_FUNDS', 'OUT_OF_STOCK']));
    for (const [sku, stock] of Object.entries(STOCK)) {
      const sold = confirmed
        .flatMap((o) => o.items)
        .filter((i) => i.sku === sku)
        .reduce((n, i) => n + i.quantity, 0);
      const product = await saga.getProduct(sku);
      expect({ sku, reserved: product.reserved, available: product.available }).toEqual({
        sku,
        reserved: sold,
        available: stock - sold,
      });
    }
    expect(saga.platform.smtp.mails).toHaveLength(ORDERS);
  });
});
