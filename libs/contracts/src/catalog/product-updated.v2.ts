import { z } from 'zod';
import { defineEvent } from '../define-event';
import type { EventData } from '../define-event';
import { ProductUpdatedV1 } from './product-updated.v1';

/**
 * A product's catalog entry, v2: adds `status`, so a product can be withdrawn from sale without
 * deleting its history. A required new field is an incompatible change, hence a new version and an
 * upcaster that reads v1 records as v2 (every product published as v1 was on sale).
 */
export const ProductUpdatedV2 = defineEvent({
  type: 'catalog.product-updated.v2',
  name: 'ProductUpdated',
  version: 2,
  description: "A product's current catalog entry: name, price, stock available and whether it is on sale.",
  topic: ProductUpdatedV1.topic,
  schema: ProductUpdatedV1.schema.extend({ status: z.enum(['ACTIVE', 'DISCONTINUED']) }),
  key: (data) => data.sku,
});

/** Reads a v1 catalog record as v2. */
export function upcastProductUpdatedV1(
  data: EventData<typeof ProductUpdatedV1>,
): EventData<typeof ProductUpdatedV2> {
  return { ...data, status: 'ACTIVE' };
}
