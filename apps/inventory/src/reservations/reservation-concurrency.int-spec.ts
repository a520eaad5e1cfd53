import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OrderCancellationRequestedV1, PaymentAuthorizedV1, createEvent } from '@saga/contracts';
import { waitForLockWait, readOutbox } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../test/fixtures/integration';
import { InventoryInitialSchema1795300000000 } from '../migrations/1795300000000-inventory-initial-schema';
import { ReleaseStockService } from './release-stock/release-stock.service';
import { ReserveStockService } from './reserve-stock/reserve-stock.service';

type Work = (manager: EntityManager) => Promise<void>;

function paymentAuthorized(orderId: string, quantity = 1) {
  return createEvent(
    PaymentAuthorizedV1,
    {
      orderId,
      customerId: 'alice',
      amountCents: 24_900 * quantity,
      currency: 'EUR',
      items: [{ sku: 'MONITOR-27', quantity }],
    },
    { source: 'test' },
  );
}

function cancellation(orderId: string) {
  return createEvent(
    OrderCancellationRequestedV1,
    { orderId, customerId: 'alice', reason: 'changed my mind' },
    { source: 'test' },
  );
}

describe('reservations under concurrency', () => {
  const db = useMigratedDatabase('inventory_concurrency', [InventoryInitialSchema1795300000000]);

  const reserve = new ReserveStockService();
  const release = new ReleaseStockService();

  const monitor = async () =>
    (
      await db.dataSource.query<{ available: number; reserved: number }[]>(
        "SELECT available, reserved FROM products WHERE sku = 'MONITOR-27'",
      )
    )[0];
  const statuses = async (orderIds: string[]) =>
    (
      await db.dataSource.query<{ status: string }[]>(
        'SELECT status FROM reservations WHERE order_id = ANY($1::uuid[]) ORDER BY status',
        [orderIds],
      )
    ).map((row) => row.status);
  const outbox = () => readOutbox(db.dataSource);
  /** Per SKU, reserved must equal what RESERVED reservations hold (the audit's check). */
  const heldMismatches = () =>
    db.dataSource.query(
      `SELECT p.sku FROM products p
       LEFT JOIN (SELECT l.sku, sum(l.quantity) AS held FROM reservation_lines l
                  JOIN reservations r USING (order_id) WHERE r.status = 'RESERVED' GROUP BY l.sku) h USING (sku)
       WHERE p.reserved <> coalesce(h.held, 0)`,
    );

  /**
   * Runs `first` in a transaction that stays open until `second`, started after `first` has done its
   * work, waits on one of its locks; then lets both finish. The interleaving is forced, not hoped for.
   */
  async function whileHeld(first: Work, second: Work): Promise<void> {
    let done!: () => void;
    const handled = new Promise<void>((resolve) => (done = resolve));
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    const one = db.dataSource.transaction(async (manager) => {
      await first(manager);
      done();
      await gate;
    });
    await Promise.race([handled, one]);
    const two = db.dataSource.transaction(second);
    await waitForLockWait(db.dataSource);
    commit();
    await Promise.all([one, two]);
  }

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE outbox, reservation_lines, reservations, products');
    await db.dataSource.query(
      `INSERT INTO products (sku, name, price_cents, currency, available, reserved, stocked)
       VALUES ('MONITOR-27', '27-inch monitor', 24900, 'EUR', 1, 0, 1)`,
    );
  });

  it('lets exactly one of two orders reserve the last unit', async () => {
    // Arrange
    const [first, second] = [randomUUID(), randomUUID()];

    // Act
    await whileHeld(
      (manager) => reserve.handle(manager, paymentAuthorized(first)),
      (manager) => reserve.handle(manager, paymentAuthorized(second)),
    );

    // Assert
    await expect(monitor()).resolves.toEqual({ available: 0, reserved: 1 });
    await expect(statuses([first])).resolves.toEqual(['RESERVED']);
    await expect(statuses([second])).resolves.toEqual(['FAILED']);
    await expect(outbox()).resolves.toContainEqual({
      type: 'inventory.stock-reservation-failed.v1',
      data: {
        orderId: second,
        reason: 'OUT_OF_STOCK',
        lines: [{ sku: 'MONITOR-27', requested: 1, available: 0 }],
      },
    });
  });

  it('never sells more than it has when many orders race for a few units', async () => {
    // Arrange
    await db.dataSource.query("UPDATE products SET available = 3, stocked = 3 WHERE sku = 'MONITOR-27'");
    const orders = Array.from({ length: 8 }, () => randomUUID());

    // Act
    await Promise.all(
      orders.map((orderId) =>
        db.dataSource.transaction((manager) => reserve.handle(manager, paymentAuthorized(orderId))),
      ),
    );

    // Assert
    await expect(monitor()).resolves.toEqual({ available: 0, reserved: 3 });
    await expect(statuses(orders)).resolves.toEqual([
      ...Array(5).fill('FAILED'),
      ...Array(3).fill('RESERVED'),
    ]);
    await expect(heldMismatches()).resolves.toEqual([]);
  });

  it('ends with nothing held when the payment is handled first and the cancellation waits for it', async () => {
    // Arrange
    const orderId = randomUUID();

    // Act
    await whileHeld(
      (manager) => reserve.handle(manager, paymentAuthorized(orderId)),
      (manager) => release.handle(manager, cancellation(orderId)),
    );

    // Assert
    await expect(monitor()).resolves.toEqual({ available: 1, reserved: 0 });
    await expect(statuses([orderId])).resolves.toEqual(['RELEASED']);
    await expect(heldMismatches()).resolves.toEqual([]);
    const events = (await outbox()).filter((event) => event.type.startsWith('inventory.'));
    expect(events).toEqual([
      { type: 'inventory.stock-reserved.v1', data: { orderId, items: [{ sku: 'MONITOR-27', quantity: 1 }] } },
      { type: 'inventory.stock-released.v1', data: { orderId, items: [{ sku: 'MONITOR-27', quantity: 1 }] } },
    ]);
  });

  it('ends with nothing held when the cancellation is handled first and the payment waits for it', async () => {
    // Arrange
    const orderId = randomUUID();

    // Act
    await whileHeld(
      (manager) => release.handle(manager, cancellation(orderId)),
      (manager) => reserve.handle(manager, paymentAuthorized(orderId)),
    );

    // Assert
    await expect(monitor()).resolves.toEqual({ available: 1, reserved: 0 });
    await expect(statuses([orderId])).resolves.toEqual(['CANCELLED']);
    await expect(outbox()).resolves.toEqual([
      { type: 'inventory.stock-released.v1', data: { orderId, items: [] } },
      {
        type: 'inventory.stock-reservation-failed.v1',
        data: { orderId, reason: 'ORDER_CANCELLED', lines: [] },
      },
    ]);
  });
});
