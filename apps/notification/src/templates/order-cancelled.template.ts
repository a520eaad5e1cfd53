import type { EventData, OrderCancelledV1 } from '@saga/contracts';
import type { MailContent } from './mail-content';

/** The e-mail that tells a customer their order is cancelled, why, and that nothing stays charged. */
export function orderCancelledTemplate(order: EventData<typeof OrderCancelledV1>): MailContent {
  return {
    subject: `Your order ${order.orderId} is cancelled`,
    text: `Hello ${order.customerId},

your order ${order.orderId} is cancelled.
Reason: ${order.reason}

Nothing is charged for this order: any payment taken has been refunded.

saga-platform
`,
  };
}
