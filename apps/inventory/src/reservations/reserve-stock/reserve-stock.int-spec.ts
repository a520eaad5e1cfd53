import { randomUUID } from 'node:crypto';
import { OrderCancellationRequestedV1, PaymentAuthorizedV1, createEvent } from '@saga/contracts';
import { readOutbox } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../../test/fixtures/integration';
import { InventoryInitialSchema1795300000000 } from '../../migrations/1795300000000-inventory-initial-schema';
import { ReleaseStockService } from '../release-stock/release-stock.service';
import { ReserveStockService } from './reserve-stock.service';

function paymentAuthorized(orderId: string, items: { sku: string; quantity: number }[]) {
  return createEvent(
    PaymentAuthorizedV1,
    { orderId, customerId: 'alice', amountCents: 1000, currency: 'EUR', items },
    { source: 'test' },
  );
}

describe('ReserveStockService', () => {
  const db = useMigratedDatabase('inventory_reserve', [InventoryInitialSchema1795300000000]);

  const reserve = new ReserveStockService();

  const stock = () =>
    db.dataSource.query<{ sku: string; available: number; reserved: number; stocked: number }[]>(
      'SELECT sku, available, reserved, stocked FROM products ORDER BY sku',
    );
  const outbox = () => readOutbox(db.dataSource);
  const reservation = async (orderId: string) =>
    (
      await db.dataSource.query<{ status: string; failure_reason: string | null }[]>(
        'SELECT status, failure_reason FROM reservations WHERE order_id = $1',
        [orderId],
      )
    )[0];
  const lines = (orderId: string) =>
    db.dataSource.query('SELECT sku, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY sku', [
      orderId,
    ]);

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE outbox, reservation_lines, reservations, products');
    await db.dataSource.query(
      `INSERT INTO products (sku, name, price_cents, currency, status, available, reserved, stocked) VALUES
         ('KEYBOARD-01', 'Mechanical keyboard', 8900, 'EUR', 'ACTIVE', 5, 0, 5),
         ('MOUSE-01', 'Wireless mouse', 2900, 'EUR', 'ACTIVE', 2, 0, 2),
         ('OLD-PHONE', 'Old phone', 9900, 'EUR', 'DISCONTINUED', 7, 0, 7)`,
    );
  });

  it('reserves every line, records it and publishes StockReserved and one ProductUpdated per SKU', async () => {
    // Arrange
    const orderId = randomUUID();
    const event = paymentAuthorized(orderId, [
      { sku: 'MOUSE-01', quantity: 2 },
      { sku: 'KEYBOARD-01', quantity: 1 },
      { sku: 'KEYBOARD-01', quantity: 2 },
    ]);

    // Act
    await db.dataSource.transaction((manager) => reserve.handle(manager, event));

    // Assert
    await expect(stock()).resolves.toEqual([
      { sku: 'KEYBOARD-01', available: 2, reserved: 3, stocked: 5 },
      { sku: 'MOUSE-01', available: 0, reserved: 2, stocked: 2 },
      { sku: 'OLD-PHONE', available: 7, reserved: 0, stocked: 7 },
    ]);
    await expect(reservation(orderId)).resolves.toEqual({ status: 'RESERVED', failure_reason: null });
    await expect(lines(orderId)).resolves.toEqual([
      { sku: 'KEYBOARD-01', quantity: 3 },
      { sku: 'MOUSE-01', quantity: 2 },
    ]);
    await expect(outbox()).resolves.toEqual([
      {
        type: 'inventory.stock-reserved.v1',
        data: {
          orderId,
          items: [
            { sku: 'KEYBOARD-01', quantity: 3 },
            { sku: 'MOUSE-01', quantity: 2 },
          ],
        },
      },
      {
        type: 'catalog.product-updated.v2',
        data: {
          sku: 'KEYBOARD-01',
          name: 'Mechanical keyboard',
          priceCents: 8900,
          currency: 'EUR',
          available: 2,
          status: 'ACTIVE',
        },
      },
      {
        type: 'catalog.product-updated.v2',
        data: expect.objectContaining({ sku: 'MOUSE-01', available: 0, status: 'ACTIVE' }),
      },
    ]);
  });

  it('reserves nothing when a line is short, and lists the short lines', async () => {
    // Arrange
    const orderId = randomUUID();
    const before = await stock();

    // Act
    await db.dataSource.transaction((manager) =>
      reserve.handle(
        manager,
        paymentAuthorized(orderId, [
          { sku: 'KEYBOARD-01', quantity: 1 },
          { sku: 'MOUSE-01', quantity: 3 },
        ]),
      ),
    );

    // Assert
    await expect(stock()).resolves.toEqual(before);
    await expect(reservation(orderId)).resolves.toEqual({ status: 'FAILED', failure_reason: 'OUT_OF_STOCK' });
    await expect(lines(orderId)).resolves.toEqual([]);
    await expect(outbox()).resolves.toEqual([
      {
        type: 'inventory.stock-reservation-failed.v1',
        data: { orderId, reason: 'OUT_OF_STOCK', lines: [{ sku: 'MOUSE-01', requested: 3, available: 2 }] },
      },
    ]);
  });

  it('fails with UNKNOWN_SKU when a SKU is not in the catalog', async () => {
    // Arrange
    const orderId = randomUUID();
    const before = await stock();

    // Act
    await db.dataSource.transaction((manager) =>
      reserve.handle(
        manager,
        paymentAuthorized(orderId, [
          { sku: 'KEYBOARD-01', quantity: 1 },
          { sku: 'NO-SUCH-THING', quantity: 1 },
        ]),
      ),
    );

    // Assert
    await expect(stock()).resolves.toEqual(before);
    await expect(reservation(orderId)).resolves.toEqual({ status: 'FAILED', failure_reason: 'UNKNOWN_SKU' });
    await expect(outbox()).resolves.toEqual([
      {
        type: 'inventory.stock-reservation-failed.v1',
        data: {
          orderId,
          reason: 'UNKNOWN_SKU',
          lines: [{ sku: 'NO-SUCH-THING', requested: 1, available: 0 }],
        },
      },
    ]);
  });

  it('counts a discontinued product as out of stock, whatever it has on the books', async () => {
    // Arrange
    const orderId = randomUUID();
    const before = await stock();

    // Act
    await db.dataSource.transaction((manager) =>
      reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'OLD-PHONE', quantity: 1 }])),
    );

    // Assert
    await expect(stock()).resolves.toEqual(before);
    await expect(outbox()).resolves.toEqual([
      {
        type: 'inventory.stock-reservation-failed.v1',
        data: { orderId, reason: 'OUT_OF_STOCK', lines: [{ sku: 'OLD-PHONE', requested: 1, available: 0 }] },
      },
    ]);
  });

  it('does nothing for an order it has already reserved', async () => {
    // Arrange
    const orderId = randomUUID();
    await db.dataSource.transaction((manager) =>
      reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'KEYBOARD-01', quantity: 1 }])),
    );
    await db.dataSource.query('TRUNCATE outbox');

    // Act
    await db.dataSource.transaction((manager) =>
      reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'KEYBOARD-01', quantity: 1 }])),
    );

    // Assert
    await expect(stock()).resolves.toContainEqual({
      sku: 'KEYBOARD-01',
      available: 4,
      reserved: 1,
      stocked: 5,
    });
    await expect(outbox()).resolves.toEqual([]);
  });

  it('answers a payment that comes after the cancellation with ORDER_CANCELLED and holds nothing', async () => {
    // Arrange
    const orderId = randomUUID();
    const cancel = createEvent(
      OrderCancellationRequestedV1,
      { orderId, customerId: 'alice', reason: 'changed my mind' },
      { source: 'test' },
    );
    await db.dataSource.transaction((manager) => new ReleaseStockService().handle(manager, cancel));
    const before = await stock();

    // Act
    await db.dataSource.transaction((manager) =>
      reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'KEYBOARD-01', quantity: 1 }])),
    );

    // Assert
    await expect(stock()).resolves.toEqual(before);
    await expect(reservation(orderId)).resolves.toEqual({ status: 'CANCELLED', failure_reason: null });
    await expect(lines(orderId)).resolves.toEqual([]);
    await expect(outbox()).resolves.toEqual([
      { type: 'inventory.stock-released.v1', data: { orderId, items: [] } },
      {
        type: 'inventory.stock-reservation-failed.v1',
        data: { orderId, reason: 'ORDER_CANCELLED', lines: [] },
      },
    ]);
  });
});
