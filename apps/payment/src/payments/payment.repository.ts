import type { EntityManager } from 'typeorm';
import type { EventData, PaymentFailedV1 } from '@saga/contracts';

/** Where an order's payment stands. */
export type PaymentStatus = 'AUTHORIZED' | 'FAILED' | 'REFUNDED';

/** Why a payment failed: the reasons PaymentFailed carries. */
export type FailureReason = EventData<typeof PaymentFailedV1>['reason'];

/** The payment of one order: one row per order the service has seen. */
export interface Payment {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly failureReason: FailureReason | null;
  readonly refundReason: string | null;
}

/** A new payment row: what the service decided when it first saw the order (or its cancellation). */
export type NewPayment = Omit<Payment, 'refundReason'>;

interface PaymentRow extends Omit<Payment, 'amountCents'> {
  amountCents: string;
}

/**
 * Takes the order's semantic lock to the end of the transaction. One order's events come on several
 * topics that are consumed concurrently (a cancellation and a stock failure, say); holding this lock
 * first, they take turns, and each sees what the other did.
 */
export async function lockOrder(manager: EntityManager, orderId: string): Promise<void> {
  await manager.query("SELECT pg_advisory_xact_lock(hashtext('payment.order'), hashtext($1))", [orderId]);
}

/** Reads an order's payment, locking the row to the end of the transaction. */
export async function lockPayment(manager: EntityManager, orderId: string): Promise<Payment | undefined> {
  const rows = await manager.query<PaymentRow[]>(
    `SELECT order_id AS "orderId", customer_id AS "customerId", amount_cents AS "amountCents", currency,
       status, failure_reason AS "failureReason", refund_reason AS "refundReason"
     FROM payments WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  return rows[0] && { ...rows[0], amountCents: Number(rows[0].amountCents) };
}

/** Inserts an order's payment row. */
export async function insertPayment(manager: EntityManager, payment: NewPayment): Promise<void> {
  await manager.query(
    `INSERT INTO payments (order_id, customer_id, amount_cents, currency, status, failure_reason)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      payment.orderId,
      payment.customerId,
      payment.amountCents,
      payment.currency,
      payment.status,
      payment.failureReason,
    ],
  );
}

/** Marks an order's payment as paid back, and why. */
export async function markRefunded(manager: EntityManager, orderId: string, reason: string): Promise<void> {
  await manager.query(
    "UPDATE payments SET status = 'REFUNDED', refund_reason = $2, updated_at = now() WHERE order_id = $1",
    [orderId, reason],
  );
}
