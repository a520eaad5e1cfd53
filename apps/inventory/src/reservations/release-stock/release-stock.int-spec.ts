import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OrderCancellationRequestedV1, PaymentAuthorizedV1, createEvent } from '@saga/contracts';
import { readOutbox } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../../test/fixtures/integration';
import { InventoryInitialSchema1795300000000 } from '../../migrations/1795300000000-inventory-initial-schema';
import { ReserveStockService } from '../reserve-stock/reserve-stock.service';
import { ReleaseStockService } from './release-stock.service';

function cancellation(orderId: string) {
  return createEvent(
    OrderCancellationRequestedV1,
    { orderId, customerId: 'alice', reason: 'changed my mind' },
    { source: 'test' },
  );
}

function paymentAuthorized(orderId: string, items: { sku: string; quantity: number }[]) {
  return createEvent(
    PaymentAuthorizedV1,
    { orderId, customerId: 'alice', amountCents: 1000, currency: 'EUR', items },
    { source: 'test' },
  );
}

describe('ReleaseStockService', () => {
  const db = useMigratedDatabase('inventory_release', [InventoryInitialSchema1795300000000]);

  const reserve = new ReserveStockService();
  const release = new ReleaseStockService();

  const stock = () =>
    db.dataSource.query<{ sku: string; available: number; reserved: number; stocked: number }[]>(
      'SELECT sku, available, reserved, stocked FROM products ORDER BY sku',
    );
  const outbox = () => readOutbox(db.dataSource);
  const status = async (orderId: string) =>
    (
      await db.dataSource.query<{ status: string }[]>('SELECT status FROM reservations WHERE order_id = $1', [
        orderId,
      ])
    )[0]?.status;
  const inTransaction = (work: (manager: EntityManager) => Promise<void>) => db.dataSource.transaction(work);

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE outbox, reservation_lines, reservations, products');
    await db.dataSource.query(
      `INSERT INTO products (sku, name, price_cents, currency, available, reserved, stocked) VALUES
         ('KEYBOARD-01', 'Mechanical keyboard', 8900, 'EUR', 5, 0, 5),
         ('MOUSE-01', 'Wireless mouse', 2900, 'EUR', 2, 0, 2)`,
    );
  });

  it('releases every line of a reservation and publishes StockReleased with them, and ProductUpdated per SKU', async () => {
    // Arrange
    const orderId = randomUUID();
    const items = [
      { sku: 'KEYBOARD-01', quantity: 3 },
      { sku: 'MOUSE-01', quantity: 2 },
    ];
    await inTransaction((manager) => reserve.handle(manager, paymentAuthorized(orderId, items)));
    await db.dataSource.query('TRUNCATE outbox');

    // Act
    await inTransaction((manager) => release.handle(manager, cancellation(orderId)));

    // Assert
    await expect(stock()).resolves.toEqual([
      { sku: 'KEYBOARD-01', available: 5, reserved: 0, stocked: 5 },
      { sku: 'MOUSE-01', available: 2, reserved: 0, stocked: 2 },
    ]);
    await expect(status(orderId)).resolves.toBe('RELEASED');
    // The lines stay, as the history of what the order held.
    await expect(
      db.dataSource.query('SELECT sku, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY sku', [
        orderId,
      ]),
    ).resolves.toEqual(items);
    await expect(outbox()).resolves.toEqual([
      { type: 'inventory.stock-released.v1', data: { orderId, items } },
      {
        type: 'catalog.product-updated.v2',
        data: expect.objectContaining({ sku: 'KEYBOARD-01', available: 5, status: 'ACTIVE' }),
      },
      {
        type: 'catalog.product-updated.v2',
        data: expect.objectContaining({ sku: 'MOUSE-01', available: 2, status: 'ACTIVE' }),
      },
    ]);
  });

  it('answers a FAILED reservation with StockReleased without items and marks it RELEASED', async () => {
    // Arrange
    const orderId = randomUUID();
    await inTransaction((manager) =>
      reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'MOUSE-01', quantity: 9 }])),
    );
    await db.dataSource.query('TRUNCATE outbox');
    const before = await stock();

    // Act
    await inTransaction((manager) => release.handle(manager, cancellation(orderId)));

    // Assert
    await expect(stock()).resolves.toEqual(before);
    await expect(status(orderId)).resolves.toBe('RELEASED');
    await expect(outbox()).resolves.toEqual([
      { type: 'inventory.stock-released.v1', data: { orderId, items: [] } },
    ]);
  });

  it('leaves a CANCELLED tombstone when the cancellation comes first, and answers StockReleased without items', async () => {
    // Arrange
    const orderId = randomUUID();

    // Act
    await inTransaction((manager) => release.handle(manager, cancellation(orderId)));

    // Assert
    await expect(status(orderId)).resolves.toBe('CANCELLED');
    await expect(outbox()).resolves.toEqual([
      { type: 'inventory.stock-released.v1', data: { orderId, items: [] } },
    ]);
  });

  it.each([
    ['RELEASED', true],
    ['CANCELLED', false],
  ])('does nothing more for a reservation already %s', async (expected, reservedFirst) => {
    // Arrange
    const orderId = randomUUID();
    if (reservedFirst) {
      await inTransaction((manager) =>
        reserve.handle(manager, paymentAuthorized(orderId, [{ sku: 'MOUSE-01', quantity: 1 }])),
      );
    }
    await inTransaction((manager) => release.handle(manager, cancellation(orderId)));
    await db.dataSource.query('TRUNCATE outbox');
    const before = await stock();

    // Act
    await inTransaction((manager) => release.handle(manager, cancellation(orderId)));

    // Assert
    await expect(status(orderId)).resolves.toBe(expected);
    await expect(stock()).resolves.toEqual(before);
    await expect(outbox()).resolves.toEqual([]);
  });
});
