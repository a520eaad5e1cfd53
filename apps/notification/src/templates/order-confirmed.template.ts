import type { EventData, OrderConfirmedV1 } from '@saga/contracts';
import { formatMoney } from './format-money';
import type { MailContent } from './mail-content';

/** The e-mail that tells a customer their order is paid and its items reserved. */
export function orderConfirmedTemplate(order: EventData<typeof OrderConfirmedV1>): MailContent {
  const total = formatMoney(order.totalCents, order.currency);
  return {
    subject: `Your order ${order.orderId} is confirmed`,
    text: `Hello ${order.customerId},

your order ${order.orderId} is confirmed.
We have charged ${total} and reserved your items.

Thank you for your order,
saga-platform
`,
  };
}
