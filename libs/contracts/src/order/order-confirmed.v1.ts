import { z } from 'zod';
import { Cents, Currency, CustomerId, OrderId } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** The order is paid and its stock reserved: the saga's happy end. */
export const OrderConfirmedV1 = defineEvent({
  type: 'order.confirmed.v1',
  name: 'OrderConfirmed',
  version: 1,
  description:
    'Payment authorized and stock reserved: the order is confirmed (terminal unless cancelled later).',
  topic: TOPICS.orderEvents,
  schema: z.object({ orderId: OrderId, customerId: CustomerId, totalCents: Cents, currency: Currency }),
  key: (data) => data.orderId,
});
