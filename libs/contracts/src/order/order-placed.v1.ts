import { z } from 'zod';
import { Cents, Currency, CustomerId, OrderId, OrderLine } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** A customer placed an order; prices come from the order service's catalog replica. Starts the saga. */
export const OrderPlacedV1 = defineEvent({
  type: 'order.placed.v1',
  name: 'OrderPlaced',
  version: 1,
  description: 'A customer placed an order. Starts the saga: payment authorizes the total next.',
  topic: TOPICS.orderEvents,
  schema: z.object({
    orderId: OrderId,
    customerId: CustomerId,
    items: z
      .array(OrderLine.extend({ unitPriceCents: Cents }))
      .min(1)
      .max(50),
    totalCents: Cents,
    currency: Currency,
  }),
  key: (data) => data.orderId,
});
