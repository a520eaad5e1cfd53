import { z } from 'zod';
import { PaymentFields, Reason } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** A charge was paid back (compensation after out-of-stock or cancellation). */
export const PaymentRefundedV1 = defineEvent({
  type: 'payment.refunded.v1',
  name: 'PaymentRefunded',
  version: 1,
  description: 'A charge was paid back to the customer: compensation after out-of-stock or cancellation.',
  topic: TOPICS.paymentEvents,
  schema: z.object({
    ...PaymentFields,
    reason: Reason,
  }),
  key: (data) => data.orderId,
});
