import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { Cents, Currency, ProductUpdatedV1, Sku } from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { PRODUCT_COLUMNS, productUpdatedEvents, toProduct } from '../products/product.repository';

/** One product to seed: `stock` units received, all of them available. */
export const SeedProduct = z.object({
  sku: Sku,
  name: ProductUpdatedV1.schema.shape.name,
  priceCents: Cents,
  currency: Currency,
  stock: z.number().int().min(0).max(1_000_000_000),
});

/** A product to seed. */
export type SeedProduct = z.output<typeof SeedProduct>;

/**
 * Inserts the products that are missing, in the caller's transaction, and publishes a ProductUpdated
 * for each one it inserted, so the catalog topic (and the order service's replica built from it)
 * learns about them. An existing product is left exactly as it is (its stock has moved since), so
 * seeding on every boot changes and publishes nothing after the first. Returns how many it added.
 */
export async function seedProducts(
  manager: EntityManager,
  products: readonly SeedProduct[],
): Promise<number> {
  if (products.length === 0) return 0;
  const rows = await manager.query<Parameters<typeof toProduct>[0][]>(
    `INSERT INTO products AS p (sku, name, price_cents, currency, available, reserved, stocked)
     SELECT sku, name, price_cents, currency, stock, 0, stock
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[])
       AS seed (sku, name, price_cents, currency, stock)
     ORDER BY sku
     ON CONFLICT (sku) DO NOTHING
     RETURNING ${PRODUCT_COLUMNS}`,
    [
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.priceCents),
      products.map((p) => p.currency),
      products.map((p) => p.stock),
    ],
  );
  const inserted = rows.map(toProduct);
  await addToOutbox(manager, ...productUpdatedEvents(inserted, { source: 'inventory' }));
  return inserted.length;
}
