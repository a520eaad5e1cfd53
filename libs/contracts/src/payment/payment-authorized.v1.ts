import { z } from 'zod';
import { OrderLine, PaymentFields } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** The order's total was charged to the customer's balance; inventory reserves its lines next. */
export const PaymentAuthorizedV1 = defineEvent({
  type: 'payment.authorized.v1',
  name: 'PaymentAuthorized',
  version: 1,
  description: "The order's total was charged to the customer's balance; inventory reserves stock next.",
  topic: TOPICS.paymentEvents,
  schema: z.object({
    ...PaymentFields,
    items: z.array(OrderLine).min(1).max(50),
  }),
  key: (data) => data.orderId,
});
