import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventOf, StockReservationFailedV1 } from '@saga/contracts';
import { lockOrder, lockPayment } from '../payment.repository';
import { refundPayment } from '../refund-payment';

type StockReservationFailed = EventOf<typeof StockReservationFailedV1>;

/**
 * Compensates a charge whose order could not get its stock: refunds the payment if it is still
 * AUTHORIZED. Anything else needs nothing: most often the order's cancellation refunded it already
 * (inventory answers a late PaymentAuthorized of a cancelled order with ORDER_CANCELLED).
 */
@Injectable()
export class CompensateStockFailureService {
  async handle(manager: EntityManager, event: StockReservationFailed): Promise<void> {
    const { orderId, reason } = event.data;
    await lockOrder(manager, orderId);
    const payment = await lockPayment(manager, orderId);
    if (payment?.status === 'AUTHORIZED') {
      await refundPayment(manager, payment, `stock reservation failed: ${reason}`, event);
    }
  }
}
