import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrderCancelledV1, OrderConfirmedV1, createEvent, type EventEnvelope } from '@saga/contracts';
import { NonRetriableError } from '@saga/messaging';
import { addToOutbox } from '@saga/outbox';
import type { PaymentStatus, TimelineStep } from '../order-status';
import {
  addTimelineStep,
  lockOrder,
  updateOrder,
  type OrderChanges,
  type OrderRow,
} from '../order.repository';
import { SagaOutcomeMetrics } from './saga-outcome.metrics';

/** Whether payment is done with the order: nothing charged, or charged and paid back. */
function settled(status: PaymentStatus): boolean {
  return status === 'FAILED' || status === 'REFUNDED';
}

/** What a participant's event means for the order: the step to record and the participant's status. */
export interface SagaReport {
  readonly step: TimelineStep;
  readonly changes: Pick<OrderChanges, 'paymentStatus' | 'stockStatus' | 'reason'>;
}

/**
 * The order's side of the saga: records what a participant reported, then decides.
 *
 * - PENDING + stock reserved → CONFIRMED (stock is only reserved after the payment was authorized);
 * - PENDING + payment failed or refunded → CANCELLED (declined, or out of stock and refunded);
 * - CANCELLING → CANCELLED once payment is settled (FAILED or REFUNDED) **and** stock is RELEASED:
 *   inventory answers every cancellation request with StockReleased (empty when it held nothing),
 *   and payment has always seen the order first (same topic and key), so both answers arrive.
 *
 * A report the order's state makes moot (stock reserved while cancelling, say) is only recorded: the
 * participant compensates it by itself when the cancellation request reaches it.
 */
@Injectable()
export class OrderSagaService {
  private readonly logger = new Logger(OrderSagaService.name);

  constructor(private readonly outcomes: SagaOutcomeMetrics) {}

  async record(manager: EntityManager, event: EventEnvelope<{ orderId: string }>, report: SagaReport) {
    const order = await lockOrder(manager, event.data.orderId);
    if (!order) {
      throw new NonRetriableError(`${event.type} ${event.id}: no order ${event.data.orderId} here`);
    }
    const reported: OrderRow = {
      ...order,
      // A participant's final answer stands: after the cancellation's StockReleased, a late
      // StockReservationFailed (the tombstone's answer to a late payment) changes nothing.
      paymentStatus: settled(order.paymentStatus)
        ? order.paymentStatus
        : (report.changes.paymentStatus ?? order.paymentStatus),
      stockStatus:
        order.stockStatus === 'RELEASED'
          ? order.stockStatus
          : (report.changes.stockStatus ?? order.stockStatus),
      reason: order.reason ?? report.changes.reason ?? null,
    };
    await addTimelineStep(manager, order.id, report.step, event);
    const decision = this.decide(reported);
    await updateOrder(manager, order.id, {
      paymentStatus: reported.paymentStatus,
      stockStatus: reported.stockStatus,
      reason: reported.reason ?? undefined,
      ...decision,
    });
    if (decision.status === 'CONFIRMED') {
      await addTimelineStep(manager, order.id, 'CONFIRMED');
      await addToOutbox(
        manager,
        createEvent(
          OrderConfirmedV1,
          {
            orderId: order.id,
            customerId: order.customerId,
            totalCents: order.totalCents,
            currency: order.currency,
          },
          { source: 'order', causedBy: event },
        ),
      );
      this.outcomes.settledIn(manager, 'confirmed', order.placedAt);
    } else if (decision.status === 'CANCELLED') {
      const reason = reported.reason ?? 'cancelled';
      await addTimelineStep(manager, order.id, 'CANCELLED');
      await addToOutbox(
        manager,
        createEvent(
          OrderCancelledV1,
          { orderId: order.id, customerId: order.customerId, reason },
          { source: 'order', causedBy: event },
        ),
      );
      this.outcomes.settledIn(manager, 'cancelled', order.placedAt);
      this.logger.log(`order ${order.id} cancelled: ${reason}`);
    }
  }

  /** The order's next status given what the participants have reported, or no change. */
  decide(order: OrderRow): Pick<OrderChanges, 'status'> {
    const paymentSettled = settled(order.paymentStatus);
    if (order.status === 'PENDING') {
      if (paymentSettled) return { status: 'CANCELLED' };
      if (order.stockStatus === 'RESERVED' && order.paymentStatus === 'AUTHORIZED')
        return { status: 'CONFIRMED' };
    }
    if (order.status === 'CANCELLING' && paymentSettled && order.stockStatus === 'RELEASED') {
      return { status: 'CANCELLED' };
    }
    return {};
  }
}
