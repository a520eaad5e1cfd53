import { z } from 'zod';
import { OrderId, OrderLine } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** Stock reserved for a cancelled order is available again (compensation). */
export const StockReleasedV1 = defineEvent({
  type: 'inventory.stock-released.v1',
  name: 'StockReleased',
  version: 1,
  description: 'Stock reserved for the order is available again: compensation after cancellation.',
  topic: TOPICS.inventoryEvents,
  schema: z.object({ orderId: OrderId, items: z.array(OrderLine).max(50) }),
  key: (data) => data.orderId,
});
