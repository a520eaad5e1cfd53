import { randomUUID } from 'node:crypto';
import {
  OrderCancellationRequestedV1,
  OrderPlacedV1,
  StockReservationFailedV1,
  createEvent,
} from '@saga/contracts';
import { waitForLockWait } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../../test/fixtures/integration';
import { PaymentInitialSchema1795300000000 } from '../../migrations/1795300000000-payment-initial-schema';
import { AuthorizePaymentService } from '../authorize-payment/authorize-payment.service';
import { CancelPaymentService } from '../cancel-payment/cancel-payment.service';
import { CompensateStockFailureService } from './compensate-stock-failure.service';

describe('CompensateStockFailureService (real PostgreSQL)', () => {
  const db = useMigratedDatabase('payment_stock_failure', [PaymentInitialSchema1795300000000]);

  const authorizeService = new AuthorizePaymentService();
  const cancelService = new CancelPaymentService();
  const service = new CompensateStockFailureService();

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE accounts, payments, account_entries, outbox');
    await db.dataSource.query(
      `INSERT INTO accounts (customer_id, currency, opening_balance_cents, balance_cents)
       VALUES ('alice', 'EUR', 100000, 100000)`,
    );
  });

  const authorize = (orderId: string) =>
    db.dataSource.transaction((manager) =>
      authorizeService.handle(
        manager,
        createEvent(
          OrderPlacedV1,
          {
            orderId,
            customerId: 'alice',
            items: [{ sku: 'LAPTOP-PRO', quantity: 1, unitPriceCents: 18990 }],
            totalCents: 18990,
            currency: 'EUR',
          },
          { source: 'test' },
        ),
      ),
    );

  const stockFailed = (orderId: string) =>
    createEvent(
      StockReservationFailedV1,
      { orderId, reason: 'OUT_OF_STOCK', lines: [{ sku: 'LAPTOP-PRO', requested: 1, available: 0 }] },
      { source: 'test' },
    );

  const cancellationRequested = (orderId: string) =>
    createEvent(
      OrderCancellationRequestedV1,
      { orderId, customerId: 'alice', reason: 'customer changed their mind' },
      { source: 'test' },
    );

  const balance = async () =>
    Number(
      (await db.dataSource.query<{ balance: string }[]>('SELECT balance_cents AS balance FROM accounts'))[0]
        .balance,
    );

  const refunds = () =>
    db.dataSource.query<{ order_id: string }[]>("SELECT order_id FROM account_entries WHERE kind = 'REFUND'");

  const published = async (type: string) =>
    (
      await db.dataSource.query<{ payload: string }[]>('SELECT payload FROM outbox WHERE event_type = $1', [
        type,
      ])
    ).map((row) => JSON.parse(row.payload) as unknown);

  it('refunds an AUTHORIZED payment, naming the stock failure', async () => {
    // Arrange
    const orderId = randomUUID();
    await authorize(orderId);

    // Act
    await db.dataSource.transaction((manager) => service.handle(manager, stockFailed(orderId)));

    // Assert
    await expect(balance()).resolves.toBe(100000);
    await expect(refunds()).resolves.toEqual([{ order_id: orderId }]);
    await expect(published('payment.refunded.v1')).resolves.toEqual([
      {
        orderId,
        customerId: 'alice',
        amountCents: 18990,
        currency: 'EUR',
        reason: 'stock reservation failed: OUT_OF_STOCK',
      },
    ]);
  });

  it('does nothing when the payment is already refunded or unknown', async () => {
    // Arrange
    const refundedOrder = randomUUID();
    await authorize(refundedOrder);
    await db.dataSource.transaction((manager) =>
      cancelService.handle(manager, cancellationRequested(refundedOrder)),
    );

    // Act
    await db.dataSource.transaction((manager) => service.handle(manager, stockFailed(refundedOrder)));
    await db.dataSource.transaction((manager) => service.handle(manager, stockFailed(randomUUID())));

    // Assert
    await expect(balance()).resolves.toBe(100000);
    await expect(refunds()).resolves.toHaveLength(1);
    await expect(published('payment.refunded.v1')).resolves.toHaveLength(1);
  });

  it('compensates once when a cancellation and a stock failure of one order race', async () => {
    // Arrange
    const orderId = randomUUID();
    await authorize(orderId);
    let releaseCancellation!: () => void;
    const cancellationHolds = new Promise<void>((resolve) => (releaseCancellation = resolve));
    let cancellationApplied!: () => void;
    const applied = new Promise<void>((resolve) => (cancellationApplied = resolve));

    // Act: the cancellation refunds and keeps its transaction open while the stock failure comes in.
    const cancellation = db.dataSource.transaction(async (manager) => {
      await cancelService.handle(manager, cancellationRequested(orderId));
      cancellationApplied();
      await cancellationHolds;
    });
    await applied;
    const stockFailure = db.dataSource.transaction((manager) =>
      service.handle(manager, stockFailed(orderId)),
    );
    await waitForLockWait(db.dataSource);
    releaseCancellation();
    await Promise.all([cancellation, stockFailure]);

    // Assert
    await expect(balance()).resolves.toBe(100000);
    await expect(refunds()).resolves.toEqual([{ order_id: orderId }]);
    await expect(published('payment.refunded.v1')).resolves.toEqual([
      expect.objectContaining({ orderId, reason: 'customer changed their mind' }),
    ]);
  });
});
