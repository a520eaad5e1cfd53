import { z } from 'zod';
import { OrderId, Sku } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** At least one line could not be reserved, so none was; payment refunds next. */
export const StockReservationFailedV1 = defineEvent({
  type: 'inventory.stock-reservation-failed.v1',
  name: 'StockReservationFailed',
  version: 1,
  description: 'At least one line could not be reserved, so none was; payment refunds the charge next.',
  topic: TOPICS.inventoryEvents,
  schema: z.object({
    orderId: OrderId,
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'ORDER_CANCELLED']),
    lines: z
      .array(z.object({ sku: Sku, requested: z.number().int().min(1), available: z.number().int().min(0) }))
      .max(50),
  }),
  key: (data) => data.orderId,
});
