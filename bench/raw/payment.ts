/** Raw floor, payment participant: charges placed orders (apps/payment's authorize), pg + kafkajs only. */
import type { PoolClient } from 'pg';
import { addToOutbox, consume, newEvent, ready, startRelay, type RawEvent } from './raw-kit';

async function authorize(client: PoolClient, event: RawEvent): Promise<void> {
  const order = event.data as {
    orderId: string;
    customerId: string;
    totalCents: number;
    currency: string;
    items: { sku: string; quantity: number }[];
  };
  await client.query("SELECT pg_advisory_xact_lock(hashtext('payment.order'), hashtext($1))", [
    order.orderId,
  ]);
  const existing = await client.query('SELECT status FROM payments WHERE order_id = $1 FOR UPDATE', [
    order.orderId,
  ]);
  if (existing.rows.length > 0) return;
  const { rows } = await client.query<{ currency: string; balance_cents: string }>(
    'SELECT customer_id, currency, balance_cents FROM accounts WHERE customer_id = $1 FOR UPDATE',
    [order.customerId],
  );
  const account = rows[0];
  const reason = !account
    ? 'UNKNOWN_CUSTOMER'
    : account.currency !== order.currency
      ? 'CURRENCY_MISMATCH'
      : Number(account.balance_cents) < order.totalCents
        ? 'INSUFFICIENT_FUNDS'
        : undefined;
  const payment = {
    orderId: order.orderId,
    customerId: order.customerId,
    amountCents: order.totalCents,
    currency: order.currency,
  };
  const insertPayment = (status: string, failure: string | null) =>
    client.query(
      `INSERT INTO payments (order_id, customer_id, amount_cents, currency, status, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [order.orderId, order.customerId, order.totalCents, order.currency, status, failure],
    );
  if (reason) {
    await insertPayment('FAILED', reason);
    await addToOutbox(
      client,
      newEvent('payment.failed.v1', 'payment.events', order.orderId, { ...payment, reason }, event),
    );
    return;
  }
  await client.query(
    'INSERT INTO account_entries (customer_id, order_id, kind, amount_cents) VALUES ($1, $2, $3, $4)',
    [order.customerId, order.orderId, 'CHARGE', order.totalCents],
  );
  await client.query(
    'UPDATE accounts SET balance_cents = balance_cents + $2, updated_at = now() WHERE customer_id = $1',
    [order.customerId, -order.totalCents],
  );
  await insertPayment('AUTHORIZED', null);
  const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
  await addToOutbox(
    client,
    newEvent('payment.authorized.v1', 'payment.events', order.orderId, { ...payment, items }, event),
  );
}

async function main(): Promise<void> {
  await startRelay();
  await consume({ 'order.placed.v1': authorize }, ['order.events', 'inventory.events']);
  ready('payment');
}

void main();
