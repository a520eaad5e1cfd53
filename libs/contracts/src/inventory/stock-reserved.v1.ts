import { z } from 'zod';
import { OrderId, OrderLine } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** Every line of the order is reserved (all or none); the order service confirms the order. */
export const StockReservedV1 = defineEvent({
  type: 'inventory.stock-reserved.v1',
  name: 'StockReserved',
  version: 1,
  description: 'Every line of the order is reserved, all or none; the order service confirms the order.',
  topic: TOPICS.inventoryEvents,
  schema: z.object({ orderId: OrderId, items: z.array(OrderLine).min(1).max(50) }),
  key: (data) => data.orderId,
});
