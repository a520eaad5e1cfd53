import { z } from 'zod';
import { Cents, Currency, Sku } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/**
 * A product's catalog entry (first version). Superseded by v2 but never removed: `catalog.products`
 * is compacted, so v1 records stay in the log for as long as their SKU is not updated again.
 */
export const ProductUpdatedV1 = defineEvent({
  type: 'catalog.product-updated.v1',
  name: 'ProductUpdated',
  version: 1,
  description: "A product's current catalog entry: name, price and stock available.",
  topic: TOPICS.catalogProducts,
  schema: z.object({
    sku: Sku,
    name: z.string().min(1).max(200),
    priceCents: Cents,
    currency: Currency,
    available: z.number().int().min(0),
  }),
  key: (data) => data.sku,
});
