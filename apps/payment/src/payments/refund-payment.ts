import type { EntityManager } from 'typeorm';
import { PaymentRefundedV1, createEvent, type EventEnvelope } from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { postEntry } from '../accounts/account.repository';
import { markRefunded, type Payment } from './payment.repository';

/**
 * Pays an AUTHORIZED payment back (the compensation both the cancellation and the stock failure
 * trigger): a REFUND ledger entry that restores the balance, status REFUNDED, and PaymentRefunded
 * published in the same transaction. The caller holds the order's lock and has checked the status.
 */
export async function refundPayment(
  manager: EntityManager,
  payment: Payment,
  reason: string,
  causedBy: EventEnvelope,
): Promise<void> {
  await postEntry(manager, {
    customerId: payment.customerId,
    orderId: payment.orderId,
    kind: 'REFUND',
    amountCents: payment.amountCents,
  });
  await markRefunded(manager, payment.orderId, reason);
  const refunded = createEvent(
    PaymentRefundedV1,
    {
      orderId: payment.orderId,
      customerId: payment.customerId,
      amountCents: payment.amountCents,
      currency: payment.currency,
      reason,
    },
    { source: 'payment', causedBy },
  );
  await addToOutbox(manager, refunded);
}
