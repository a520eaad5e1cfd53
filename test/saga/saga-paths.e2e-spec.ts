import { DataSource } from 'typeorm';
import { TOPICS } from '@saga/contracts';
import { testKafka } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { rebuildCatalog } from '../../apps/order/src/catalog/rebuild-catalog';
import { SEED, SERVICES } from './saga-fixtures';

describe('the order saga, path by path (DESIGN.md)', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('paths', SERVICES, SEED);
  });

  afterEach(async () => {
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it('confirms a paid order in stock, charges it once, reserves its stock and e-mails the customer', async () => {
    // Arrange
    const before = { account: await saga.getAccount('rich'), widget: await saga.getProduct('WIDGET') };

    // Act
    const order = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [
        { sku: 'WIDGET', quantity: 2 },
        { sku: 'GADGET', quantity: 1 },
      ],
    });

    // Assert
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 4_500, currency: 'EUR' });
    expect(order.items).toEqual([
      { sku: 'WIDGET', quantity: 2, unitPriceCents: 1_000 },
      { sku: 'GADGET', quantity: 1, unitPriceCents: 2_500 },
    ]);
    expect(order.timeline.map((step) => step.step).sort()).toEqual(
      ['PLACED', 'PAYMENT_AUTHORIZED', 'STOCK_RESERVED', 'CONFIRMED'].sort(),
    );
    expect(order.timeline.at(-1)?.step).toBe('CONFIRMED');
    expect(order.timeline.find((s) => s.step === 'STOCK_RESERVED')?.event?.type).toBe(
      'inventory.stock-reserved.v1',
    );
    await expect(saga.getAccount('rich')).resolves.toMatchObject({
      balanceCents: before.account.balanceCents - 4_500,
    });
    await expect(saga.getProduct('WIDGET')).resolves.toMatchObject({
      available: before.widget.available - 2,
      reserved: before.widget.reserved + 2,
    });
    const mail = saga.mailFor(order.orderId, 'CONFIRMED')!;
    expect(mail.to).toEqual(['rich@customers.saga-platform.local']);
    expect(mail.subject).toMatch(/confirmed/i);
    expect(mail.text).toContain('EUR 45.00');
  });

  it('cancels an order whose payment is declined, without touching stock', async () => {
    // Arrange
    const widget = await saga.getProduct('WIDGET');

    // Act
    const order = await saga.placeOrderAndWait({
      customerId: 'poor',
      items: [{ sku: 'WIDGET', quantity: 1 }],
    });

    // Assert
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'payment declined: INSUFFICIENT_FUNDS' });
    expect(order.timeline.map((step) => step.step)).toEqual(['PLACED', 'PAYMENT_FAILED', 'CANCELLED']);
    await expect(saga.getAccount('poor')).resolves.toMatchObject({ balanceCents: 500 });
    await expect(saga.getProduct('WIDGET')).resolves.toMatchObject({ available: widget.available });
    expect(saga.mailFor(order.orderId, 'CANCELLED')?.text).toContain('INSUFFICIENT_FUNDS');
  });

  it('declines an unknown customer and an account in another currency', async () => {
    // Act
    const unknown = await saga.placeOrderAndWait({
      customerId: 'nobody',
      items: [{ sku: 'WIDGET', quantity: 1 }],
    });
    const dollar = await saga.placeOrderAndWait({
      customerId: 'dollar',
      items: [{ sku: 'WIDGET', quantity: 1 }],
    });

    // Assert
    expect(unknown).toMatchObject({ status: 'CANCELLED', reason: 'payment declined: UNKNOWN_CUSTOMER' });
    expect(dollar).toMatchObject({ status: 'CANCELLED', reason: 'payment declined: CURRENCY_MISMATCH' });
  });

  it('refunds the payment when the stock runs out, then cancels the order', async () => {
    // Arrange
    const balance = (await saga.getAccount('rich')).balanceCents;

    // Act
    const order = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [
        { sku: 'WIDGET', quantity: 1 },
        { sku: 'NONE', quantity: 1 },
      ],
    });

    // Assert
    expect(order.status).toBe('CANCELLED');
    // The detail (which SKU) is there when inventory's report reached the order before payment's refund.
    expect(order.reason).toMatch(/^stock reservation failed: OUT_OF_STOCK( NONE \(0\/1\))?$/);
    expect(order.timeline.map((step) => step.step)).toEqual(
      expect.arrayContaining([
        'PAYMENT_AUTHORIZED',
        'STOCK_RESERVATION_FAILED',
        'PAYMENT_REFUNDED',
        'CANCELLED',
      ]),
    );
    await expect(saga.getAccount('rich')).resolves.toMatchObject({ balanceCents: balance });
  });

  it('cancels a pending order: whatever has happened is compensated and the order ends CANCELLED', async () => {
    // Arrange
    const balance = (await saga.getAccount('rich')).balanceCents;
    const placed = await saga.placeOrder({ customerId: 'rich', items: [{ sku: 'GADGET', quantity: 3 }] });

    // Act
    const cancel = await saga.cancelOrder(placed.body.orderId, 'changed my mind');
    const order = await saga.waitForSettled(placed.body.orderId);

    // Assert
    expect(cancel.status).toBe(202);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' });
    expect(order.timeline.map((step) => step.step)).toEqual(
      expect.arrayContaining(['CANCELLATION_REQUESTED', 'STOCK_RELEASED', 'CANCELLED']),
    );
    await expect(saga.getAccount('rich')).resolves.toMatchObject({ balanceCents: balance });
  });

  it('cancels a confirmed order: the charge is refunded and the stock released', async () => {
    // Arrange
    const balance = (await saga.getAccount('rich')).balanceCents;
    const gadget = await saga.getProduct('GADGET');
    const confirmed = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [{ sku: 'GADGET', quantity: 2 }],
    });

    // Act
    const cancel = await saga.cancelOrder(confirmed.orderId);
    const order = await saga.waitForSettled(confirmed.orderId, 60_000, 'CANCELLED');

    // Assert
    expect(confirmed.status).toBe('CONFIRMED');
    expect(cancel).toMatchObject({ status: 202, body: { status: 'CANCELLING' } });
    expect(
      order.timeline
        .map((step) => step.step)
        .slice(-4)
        .sort(),
    ).toEqual(['CANCELLATION_REQUESTED', 'PAYMENT_REFUNDED', 'STOCK_RELEASED', 'CANCELLED'].sort());
    await expect(saga.getAccount('rich')).resolves.toMatchObject({ balanceCents: balance });
    await expect(saga.getProduct('GADGET')).resolves.toMatchObject({
      available: gadget.available,
      reserved: gadget.reserved,
    });
    expect(saga.mailFor(order.orderId, 'CONFIRMED')).toBeDefined();
    expect(saga.mailFor(order.orderId, 'CANCELLED')).toBeDefined();
  });

  it('refuses to cancel an order twice, or an unknown one', async () => {
    // Arrange
    const order = await saga.placeOrderAndWait({
      customerId: 'poor',
      items: [{ sku: 'WIDGET', quantity: 1 }],
    });

    // Act
    const again = await saga.cancelOrder(order.orderId);
    const unknown = await saga.cancelOrder('00000000-0000-4000-8000-000000000000');

    // Assert
    expect(again).toMatchObject({
      status: 409,
      contentType: expect.stringContaining('application/problem+json'),
    });
    expect(unknown).toMatchObject({
      status: 404,
      contentType: expect.stringContaining('application/problem+json'),
    });
  });

  it("answers the same order for the same Idempotency-Key and body, 409 for another body; another customer's key is their own", async () => {
    // Arrange
    const body = { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] };

    // Act
    const [first, second] = await Promise.all([
      saga.placeOrder(body, 'key-1'),
      saga.placeOrder(body, 'key-1'),
    ]);
    const other = await saga.placeOrder({ ...body, items: [{ sku: 'WIDGET', quantity: 2 }] }, 'key-1');
    const anotherCustomer = await saga.placeOrder({ ...body, customerId: 'poor' }, 'key-1');
    await saga.waitForSettled(first.body.orderId);
    await saga.waitForSettled(anotherCustomer.body.orderId);

    // Assert
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(other.status).toBe(409);
    expect(anotherCustomer.status).toBe(202);
    expect(anotherCustomer.body.orderId).not.toBe(first.body.orderId);
    await expect(
      saga.query('order', 'SELECT customer_id FROM orders WHERE idempotency_key = $1 ORDER BY customer_id', [
        'key-1',
      ]),
    ).resolves.toEqual([{ customer_id: 'poor' }, { customer_id: 'rich' }]);
  });

  it('rebuilds the catalog replica by replaying catalog.products from offset 0', async () => {
    // Arrange
    const replica =
      'SELECT sku, name, price_cents, currency, status, available FROM catalog_products ORDER BY sku';
    const before = await saga.query('order', replica);
    await saga.query('order', 'DELETE FROM catalog_products');
    const dataSource = saga.platform.instance('order')!.app.get(DataSource);
    const kafka = testKafka('catalog-rebuild-test');

    // Act
    const result = await rebuildCatalog(
      dataSource,
      kafka,
      `${saga.platform.topicPrefix}${TOPICS.catalogProducts.name}`,
    );

    // Assert
    expect(result.products).toBe(SEED.products.length);
    expect(result.records).toBeGreaterThanOrEqual(SEED.products.length);
    await expect(saga.query('order', replica)).resolves.toEqual(before);
  });
});
