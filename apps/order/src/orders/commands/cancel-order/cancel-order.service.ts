import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { mayAccess, type Principal } from '@saga/platform';
import { DataSource } from 'typeorm';
import { tagActiveSpanWithOrder } from '@saga/common';
import { z } from 'zod';
import { OrderCancellationRequestedV1, OrderId, createEvent } from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { CANCELLABLE } from '../../order-status';
import { addTimelineStep, lockOrder, updateOrder } from '../../order.repository';

/** The answer to `POST /orders/:id/cancel`: the order is now CANCELLING; the compensations follow. */
export const CancellingOrderSchema = z
  .object({ orderId: OrderId, status: z.literal('CANCELLING') })
  .meta({ id: 'CancellingOrder' });
export type CancellingOrder = z.infer<typeof CancellingOrderSchema>;

/**
 * Cancels a PENDING or CONFIRMED order: the order becomes CANCELLING and OrderCancellationRequested
 * goes out in the same transaction. Payment refunds what it charged and inventory releases what it
 * holds (or leaves a tombstone, if the payment has not reached it yet); the saga then ends CANCELLED.
 * The order row is locked, so a saga step in flight (a confirmation, say) lands before or after, never
 * half-way.
 */
@Injectable()
export class CancelOrderService {
  constructor(private readonly dataSource: DataSource) {}

  async cancel(orderId: string, reason: string, caller: Principal): Promise<CancellingOrder> {
    tagActiveSpanWithOrder(orderId);
    return this.dataSource.transaction(async (manager) => {
      const order = await lockOrder(manager, orderId);
      if (!order || !mayAccess(caller, order.customerId)) throw new NotFoundException(`no order ${orderId}`);
      if (!CANCELLABLE.includes(order.status)) {
        throw new ConflictException(
          `order ${orderId} is ${order.status}; only PENDING and CONFIRMED orders can be cancelled`,
        );
      }
      await updateOrder(manager, orderId, { status: 'CANCELLING', reason });
      await addTimelineStep(manager, orderId, 'CANCELLATION_REQUESTED');
      await addToOutbox(
        manager,
        createEvent(
          OrderCancellationRequestedV1,
          { orderId, customerId: order.customerId, reason },
          { source: 'order' },
        ),
      );
      return { orderId, status: 'CANCELLING' as const };
    });
  }
}
