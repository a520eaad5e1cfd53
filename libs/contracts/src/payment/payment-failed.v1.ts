import { z } from 'zod';
import { PaymentFields } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** The payment was declined; nothing was charged and the order is cancelled. */
export const PaymentFailedV1 = defineEvent({
  type: 'payment.failed.v1',
  name: 'PaymentFailed',
  version: 1,
  description: 'The payment was declined (nothing charged); the order service cancels the order.',
  topic: TOPICS.paymentEvents,
  schema: z.object({
    ...PaymentFields,
    reason: z.enum(['INSUFFICIENT_FUNDS', 'UNKNOWN_CUSTOMER', 'CURRENCY_MISMATCH', 'ORDER_CANCELLED']),
  }),
  key: (data) => data.orderId,
});
