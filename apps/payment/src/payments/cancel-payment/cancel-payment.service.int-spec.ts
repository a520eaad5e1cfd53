import { randomUUID } from 'node:crypto';
import { OrderCancellationRequestedV1, OrderPlacedV1, createEvent } from '@saga/contracts';
import { readOutbox } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../../test/fixtures/integration';
import { PaymentInitialSchema1795300000000 } from '../../migrations/1795300000000-payment-initial-schema';
import { AuthorizePaymentService } from '../authorize-payment/authorize-payment.service';
import { CancelPaymentService } from './cancel-payment.service';

describe('CancelPaymentService (real PostgreSQL)', () => {
  const db = useMigratedDatabase('payment_cancel', [PaymentInitialSchema1795300000000]);

  const authorizeService = new AuthorizePaymentService();
  const service = new CancelPaymentService();

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE accounts, payments, account_entries, outbox');
    await db.dataSource.query(
      `INSERT INTO accounts (customer_id, currency, opening_balance_cents, balance_cents)
       VALUES ('alice', 'EUR', 100000, 100000), ('carol', 'EUR', 0, 0)`,
    );
  });

  const orderPlaced = (orderId: string, customerId: string) =>
    createEvent(
      OrderPlacedV1,
      {
        orderId,
        customerId,
        items: [{ sku: 'MONITOR-27', quantity: 1, unitPriceCents: 24900 }],
        totalCents: 24900,
        currency: 'EUR',
      },
      { source: 'test' },
    );

  const cancellationRequested = (orderId: string, customerId: string) =>
    createEvent(
      OrderCancellationRequestedV1,
      { orderId, customerId, reason: 'customer changed their mind' },
      { source: 'test' },
    );

  const authorize = (orderId: string, customerId: string) =>
    db.dataSource.transaction((manager) =>
      authorizeService.handle(manager, orderPlaced(orderId, customerId)),
    );

  const cancel = (orderId: string, customerId: string) =>
    db.dataSource.transaction((manager) =>
      service.handle(manager, cancellationRequested(orderId, customerId)),
    );

  const balanceOf = async (customerId: string) =>
    Number(
      (
        await db.dataSource.query<{ balance: string }[]>(
          'SELECT balance_cents AS balance FROM accounts WHERE customer_id = $1',
          [customerId],
        )
      )[0].balance,
    );

  const paymentOf = async (orderId: string) =>
    (
      await db.dataSource.query<Record<string, unknown>[]>(
        `SELECT customer_id, amount_cents::int AS amount_cents, currency, status, failure_reason, refund_reason
         FROM payments WHERE order_id = $1`,
        [orderId],
      )
    )[0];

  const entryKinds = async () =>
    (await db.dataSource.query<{ kind: string }[]>('SELECT kind FROM account_entries ORDER BY id')).map(
      (row) => row.kind,
    );

  const outbox = () => readOutbox(db.dataSource);

  it('refunds an AUTHORIZED payment once, with the cancellation reason', async () => {
    // Arrange
    const orderId = randomUUID();
    await authorize(orderId, 'alice');

    // Act
    await cancel(orderId, 'alice');
    await cancel(orderId, 'alice');

    // Assert
    await expect(balanceOf('alice')).resolves.toBe(100000);
    await expect(entryKinds()).resolves.toEqual(['CHARGE', 'REFUND']);
    await expect(paymentOf(orderId)).resolves.toMatchObject({
      status: 'REFUNDED',
      refund_reason: 'customer changed their mind',
    });
    const events = await outbox();
    expect(events.map((event) => event.type)).toEqual(['payment.authorized.v1', 'payment.refunded.v1']);
    expect(events[1].data).toEqual({
      orderId,
      customerId: 'alice',
      amountCents: 24900,
      currency: 'EUR',
      reason: 'customer changed their mind',
    });
  });

  it('does nothing for a FAILED payment', async () => {
    // Arrange
    const orderId = randomUUID();
    await authorize(orderId, 'carol');

    // Act
    await cancel(orderId, 'carol');

    // Assert
    await expect(paymentOf(orderId)).resolves.toMatchObject({ status: 'FAILED', refund_reason: null });
    await expect(entryKinds()).resolves.toEqual([]);
    await expect(outbox().then((events) => events.map((event) => event.type))).resolves.toEqual([
      'payment.failed.v1',
    ]);
  });

  it('leaves a tombstone when the order was not seen, so that a late OrderPlaced does nothing', async () => {
    // Arrange
    const orderId = randomUUID();

    // Act
    await cancel(orderId, 'alice');
    await authorize(orderId, 'alice');

    // Assert
    await expect(paymentOf(orderId)).resolves.toEqual({
      customer_id: 'alice',
      amount_cents: 0,
      currency: 'XXX',
      status: 'FAILED',
      failure_reason: 'ORDER_CANCELLED',
      refund_reason: null,
    });
    await expect(balanceOf('alice')).resolves.toBe(100000);
    await expect(entryKinds()).resolves.toEqual([]);
    await expect(outbox()).resolves.toEqual([
      {
        type: 'payment.failed.v1',
        data: { orderId, customerId: 'alice', amountCents: 0, currency: 'XXX', reason: 'ORDER_CANCELLED' },
      },
    ]);
  });
});
