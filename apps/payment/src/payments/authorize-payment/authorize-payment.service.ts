import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  PaymentAuthorizedV1,
  PaymentFailedV1,
  createEvent,
  type EventOf,
  type OrderPlacedV1,
} from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { lockAccount, postEntry, type Account } from '../../accounts/account.repository';
import { insertPayment, lockOrder, lockPayment, type FailureReason } from '../payment.repository';

type OrderPlaced = EventOf<typeof OrderPlacedV1>;

/** Why the order cannot be paid from this account, or undefined when it can. */
function declineReason(account: Account | undefined, order: OrderPlaced['data']): FailureReason | undefined {
  if (!account) return 'UNKNOWN_CUSTOMER';
  if (account.currency !== order.currency) return 'CURRENCY_MISMATCH';
  if (account.balanceCents < order.totalCents) return 'INSUFFICIENT_FUNDS';
  return undefined;
}

/**
 * The first step of the saga: charges a placed order's total to the customer's balance and publishes
 * PaymentAuthorized, or declines it and publishes PaymentFailed. An order that already has a payment
 * row is left alone: either this is a redelivery, or its cancellation came first and left a tombstone.
 */
@Injectable()
export class AuthorizePaymentService {
  async handle(manager: EntityManager, event: OrderPlaced): Promise<void> {
    const order = event.data;
    await lockOrder(manager, order.orderId);
    if (await lockPayment(manager, order.orderId)) {
      return;
    }
    const account = await lockAccount(manager, order.customerId);
    const reason = declineReason(account, order);
    const payment = {
      orderId: order.orderId,
      customerId: order.customerId,
      amountCents: order.totalCents,
      currency: order.currency,
    };
    if (reason) {
      await insertPayment(manager, { ...payment, status: 'FAILED', failureReason: reason });
      const failed = createEvent(
        PaymentFailedV1,
        { ...payment, reason },
        { source: 'payment', causedBy: event },
      );
      await addToOutbox(manager, failed);
      return;
    }
    await postEntry(manager, { ...payment, kind: 'CHARGE' });
    await insertPayment(manager, { ...payment, status: 'AUTHORIZED', failureReason: null });
    const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
    const authorized = createEvent(
      PaymentAuthorizedV1,
      { ...payment, items },
      { source: 'payment', causedBy: event },
    );
    await addToOutbox(manager, authorized);
  }
}
