import type { EntityManager } from 'typeorm';
import type { EventData, ProductUpdatedV2 } from '@saga/contracts';

/** A product as the order service's replica knows it: what it needs to price an order. */
export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly status: 'ACTIVE' | 'DISCONTINUED';
}

/** Something that runs SQL: a transaction's manager or a DataSource. */
type Sql = Pick<EntityManager, 'query'>;

/** Where a catalog record comes from: its event time (`ce_time`) and its offset. */
export interface CatalogSource {
  readonly time: string;
  readonly offset: string;
}

/**
 * Applies one `catalog.products` record to the replica, unless the replica already holds a newer
 * change of the SKU. Newer means a later event time, then (same millisecond) a later offset. The time
 * comes first because a dead-letter replay appends an old change at a new offset; offsets alone would
 * let it win. Inventory writes a SKU's changes one after another (row lock), so their times ascend.
 */
export async function upsertCatalogProduct(
  db: Sql,
  product: EventData<typeof ProductUpdatedV2>,
  source: CatalogSource,
): Promise<void> {
  await db.query(
    `INSERT INTO catalog_products
       (sku, name, price_cents, currency, status, available, source_time, source_offset)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (sku) DO UPDATE SET
       name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency,
       status = EXCLUDED.status, available = EXCLUDED.available, source_time = EXCLUDED.source_time,
       source_offset = EXCLUDED.source_offset, updated_at = now()
     WHERE (catalog_products.source_time, catalog_products.source_offset)
         < (EXCLUDED.source_time, EXCLUDED.source_offset)`,
    [
      product.sku,
      product.name,
      product.priceCents,
      product.currency,
      product.status,
      product.available,
      source.time,
      source.offset,
    ],
  );
}

/** The replica's entries for `skus` (those it knows). */
export async function findCatalogProducts(db: Sql, skus: readonly string[]): Promise<CatalogProduct[]> {
  const rows: { sku: string; name: string; price_cents: string; currency: string; status: string }[] =
    await db.query(
      'SELECT sku, name, price_cents, currency, status FROM catalog_products WHERE sku = ANY($1)',
      [skus],
    );
  return rows.map((row) => ({
    sku: row.sku,
    name: row.name,
    priceCents: Number(row.price_cents),
    currency: row.currency,
    status: row.status as CatalogProduct['status'],
  }));
}
