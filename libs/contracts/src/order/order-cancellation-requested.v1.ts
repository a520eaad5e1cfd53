import { z } from 'zod';
import { OrderReasonFields } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** Someone asked to cancel the order: participants release what they hold for it (compensation). */
export const OrderCancellationRequestedV1 = defineEvent({
  type: 'order.cancellation-requested.v1',
  name: 'OrderCancellationRequested',
  version: 1,
  description: 'Cancellation was requested; inventory releases stock and payment refunds what it charged.',
  topic: TOPICS.orderEvents,
  schema: z.object(OrderReasonFields),
  key: (data) => data.orderId,
});
