import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  PaymentFailedV1,
  createEvent,
  type EventOf,
  type OrderCancellationRequestedV1,
} from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { insertPayment, lockOrder, lockPayment } from '../payment.repository';
import { refundPayment } from '../refund-payment';

type CancellationRequested = EventOf<typeof OrderCancellationRequestedV1>;

/**
 * Payment's answer to a cancellation request: refunds an AUTHORIZED payment. A FAILED or REFUNDED
 * one needs nothing (the order has, or will get, that PaymentFailed or PaymentRefunded).
 *
 * With no payment row the OrderPlaced has not been seen yet (it can come later, from a dead-letter
 * replay). Then a tombstone — a FAILED row for nothing — makes that late OrderPlaced do nothing, and
 * PaymentFailed ORDER_CANCELLED (amount 0, currency XXX: "no currency") settles the order's payment side.
 */
@Injectable()
export class CancelPaymentService {
  async handle(manager: EntityManager, event: CancellationRequested): Promise<void> {
    const { orderId, customerId, reason } = event.data;
    await lockOrder(manager, orderId);
    const payment = await lockPayment(manager, orderId);
    if (payment?.status === 'AUTHORIZED') {
      await refundPayment(manager, payment, reason, event);
      return;
    }
    if (payment) {
      return;
    }
    const tombstone = { orderId, customerId, amountCents: 0, currency: 'XXX' };
    await insertPayment(manager, { ...tombstone, status: 'FAILED', failureReason: 'ORDER_CANCELLED' });
    const failed = createEvent(
      PaymentFailedV1,
      { ...tombstone, reason: 'ORDER_CANCELLED' },
      { source: 'payment', causedBy: event },
    );
    await addToOutbox(manager, failed);
  }
}
