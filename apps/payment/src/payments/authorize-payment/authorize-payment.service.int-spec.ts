import { randomUUID } from 'node:crypto';
import { OrderPlacedV1, createEvent } from '@saga/contracts';
import { useMigratedDatabase } from '../../../../../test/fixtures/integration';
import { PaymentInitialSchema1795300000000 } from '../../migrations/1795300000000-payment-initial-schema';
import { AuthorizePaymentService } from './authorize-payment.service';

describe('AuthorizePaymentService (real PostgreSQL)', () => {
  const db = useMigratedDatabase('payment_authorize', [PaymentInitialSchema1795300000000]);

  const service = new AuthorizePaymentService();

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE accounts, payments, account_entries, outbox');
    await db.dataSource.query(
      `INSERT INTO accounts (customer_id, currency, opening_balance_cents, balance_cents)
       VALUES ('alice', 'EUR', 100000, 100000), ('dave', 'USD', 50000, 50000)`,
    );
  });

  const orderPlaced = (customerId: string, currency = 'EUR') =>
    createEvent(
      OrderPlacedV1,
      {
        orderId: randomUUID(),
        customerId,
        items: [
          { sku: 'KEYBOARD-01', quantity: 2, unitPriceCents: 8900 },
          { sku: 'MOUSE-01', quantity: 1, unitPriceCents: 2900 },
        ],
        totalCents: 20700,
        currency,
      },
      { source: 'test' },
    );

  const authorize = (event: ReturnType<typeof orderPlaced>) =>
    db.dataSource.transaction((manager) => service.handle(manager, event));

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
        `SELECT customer_id, amount_cents::int AS amount_cents, currency, status, failure_reason
         FROM payments WHERE order_id = $1`,
        [orderId],
      )
    )[0];

  const entries = () =>
    db.dataSource.query<Record<string, unknown>[]>(
      'SELECT customer_id, order_id, kind, amount_cents::int AS amount_cents FROM account_entries',
    );

  const outbox = async () =>
    (
      await db.dataSource.query<{ event_type: string; payload: string }[]>(
        'SELECT event_type, payload FROM outbox',
      )
    ).map((row) => ({ type: row.event_type, data: JSON.parse(row.payload) as unknown }));

  it('charges the total, writes a CHARGE entry and publishes PaymentAuthorized with the lines', async () => {
    // Arrange
    const event = orderPlaced('alice');

    // Act
    await authorize(event);

    // Assert
    const { orderId } = event.data;
    await expect(balanceOf('alice')).resolves.toBe(100000 - 20700);
    await expect(entries()).resolves.toEqual([
      { customer_id: 'alice', order_id: orderId, kind: 'CHARGE', amount_cents: 20700 },
    ]);
    await expect(paymentOf(orderId)).resolves.toEqual({
      customer_id: 'alice',
      amount_cents: 20700,
      currency: 'EUR',
      status: 'AUTHORIZED',
      failure_reason: null,
    });
    await expect(outbox()).resolves.toEqual([
      {
        type: 'payment.authorized.v1',
        data: {
          orderId,
          customerId: 'alice',
          amountCents: 20700,
          currency: 'EUR',
          items: [
            { sku: 'KEYBOARD-01', quantity: 2 },
            { sku: 'MOUSE-01', quantity: 1 },
          ],
        },
      },
    ]);
  });

  it.each([
    { reason: 'UNKNOWN_CUSTOMER', customerId: 'nobody', currency: 'EUR', why: 'an unknown customer' },
    { reason: 'CURRENCY_MISMATCH', customerId: 'dave', currency: 'EUR', why: 'an order in another currency' },
    { reason: 'INSUFFICIENT_FUNDS', customerId: 'alice', currency: 'EUR', why: 'a total above the balance' },
  ])('declines with $reason for $why, charging nothing', async ({ reason, customerId, currency }) => {
    // Arrange: alice has one cent less than the total.
    await db.dataSource.query("UPDATE accounts SET balance_cents = 20699 WHERE customer_id = 'alice'");
    const event = orderPlaced(customerId, currency);
    const before = customerId === 'nobody' ? undefined : await balanceOf(customerId);

    // Act
    await authorize(event);

    // Assert
    const { orderId } = event.data;
    if (before !== undefined) await expect(balanceOf(customerId)).resolves.toBe(before);
    await expect(entries()).resolves.toEqual([]);
    await expect(paymentOf(orderId)).resolves.toEqual({
      customer_id: customerId,
      amount_cents: 20700,
      currency,
      status: 'FAILED',
      failure_reason: reason,
    });
    await expect(outbox()).resolves.toEqual([
      {
        type: 'payment.failed.v1',
        data: { orderId, customerId, amountCents: 20700, currency, reason },
      },
    ]);
  });

  it('does nothing for an order it has already handled', async () => {
    // Arrange
    const event = orderPlaced('alice');
    await authorize(event);

    // Act
    await authorize({ ...event, id: randomUUID() });

    // Assert
    await expect(balanceOf('alice')).resolves.toBe(100000 - 20700);
    await expect(entries()).resolves.toHaveLength(1);
    await expect(outbox()).resolves.toHaveLength(1);
  });

  it('lets two orders of one customer spend the balance only once', async () => {
    // Arrange: the balance covers one of the two orders.
    await db.dataSource.query("UPDATE accounts SET balance_cents = 30000 WHERE customer_id = 'alice'");
    const first = orderPlaced('alice');
    const second = orderPlaced('alice');

    // Act
    await Promise.all([authorize(first), authorize(second)]);

    // Assert
    await expect(balanceOf('alice')).resolves.toBe(30000 - 20700);
    await expect(outbox().then((rows) => rows.map((row) => row.type).sort())).resolves.toEqual([
      'payment.authorized.v1',
      'payment.failed.v1',
    ]);
  });
});
