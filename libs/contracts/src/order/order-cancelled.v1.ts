import { z } from 'zod';
import { OrderReasonFields } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** The order is cancelled and every participant has undone its part: the saga's other end. */
export const OrderCancelledV1 = defineEvent({
  type: 'order.cancelled.v1',
  name: 'OrderCancelled',
  version: 1,
  description: 'The order is cancelled; nothing is charged and no stock is held for it (terminal).',
  topic: TOPICS.orderEvents,
  schema: z.object(OrderReasonFields),
  key: (data) => data.orderId,
});
