import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import {
  Cents,
  Currency,
  ProductUpdatedV2,
  Sku,
  createEvent,
  type EventData,
  type EventOrigin,
} from '@saga/contracts';

/** Whether a product is on sale; a DISCONTINUED product counts as having nothing available. */
export const ProductStatus = z.enum(['ACTIVE', 'DISCONTINUED']);
export type ProductStatus = z.infer<typeof ProductStatus>;

/** A product as the catalog topic and the API show it. */
export const ProductSchema = z
  .object({
    sku: Sku,
    name: z.string(),
    priceCents: Cents,
    currency: Currency,
    status: ProductStatus.describe('DISCONTINUED: not on sale; counts as having nothing available.'),
    available: z.number().int().min(0).describe('Units that can be reserved now.'),
    reserved: z.number().int().min(0).describe('Units held by RESERVED reservations.'),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof ProductSchema>;

/** One SKU and a number of its units (a reservation line, a stock movement). */
export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

interface ProductRow {
  sku: string;
  name: string;
  priceCents: string;
  currency: string;
  status: ProductStatus;
  available: number;
  reserved: number;
}

/** The columns of a {@link Product}, for SELECT and RETURNING on `products AS p`. */
export const PRODUCT_COLUMNS =
  'p.sku, p.name, p.price_cents AS "priceCents", p.currency, p.status, p.available, p.reserved';

/** Converts a row as pg returns it (bigint as a string) to a {@link Product}. */
export function toProduct(row: ProductRow): Product {
  return { ...row, priceCents: Number(row.priceCents) };
}

/** Orders anything with a SKU by SKU (code point order, the same for every caller). */
export function bySku(a: { sku: string }, b: { sku: string }): number {
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
}

/** Reads the products with the given SKUs, or every product when `skus` is omitted, in SKU order. */
export async function findProducts(manager: EntityManager, skus?: readonly string[]): Promise<Product[]> {
  const rows = await manager.query<ProductRow[]>(
    `SELECT ${PRODUCT_COLUMNS} FROM products AS p
     WHERE $1::text[] IS NULL OR p.sku = ANY($1::text[]) ORDER BY p.sku`,
    [skus ?? null],
  );
  return rows.map(toProduct);
}

/**
 * Reads products by SKU and locks them to the end of the transaction, in SKU order: two orders that
 * share SKUs lock them in the same order, so they queue instead of deadlocking, and neither can
 * reserve a unit the other has just taken. SKUs not in the catalog are simply absent from the result.
 */
export async function lockProducts(manager: EntityManager, skus: readonly string[]): Promise<Product[]> {
  const rows = await manager.query<ProductRow[]>(
    `SELECT ${PRODUCT_COLUMNS} FROM products AS p WHERE p.sku = ANY($1::text[]) ORDER BY p.sku FOR UPDATE`,
    [skus],
  );
  return rows.map(toProduct);
}

/**
 * Moves units between available and reserved: `reserve` takes them from available, `release` gives
 * them back. The caller has locked the rows ({@link lockProducts}) and checked the quantities; the
 * table's CHECKs stop any slip from making stock negative. Returns the products after the change.
 */
export async function moveStock(
  manager: EntityManager,
  lines: readonly StockLine[],
  direction: 'reserve' | 'release',
): Promise<Product[]> {
  const sign = direction === 'reserve' ? 1 : -1;
  const rows = await manager.query<ProductRow[]>(
    // In a CTE, so the query answers rows (TypeORM answers a bare UPDATE with [rows, count]).
    `WITH moved AS (
       UPDATE products AS p
       SET available = p.available - line.quantity * $3, reserved = p.reserved + line.quantity * $3,
           updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS line (sku, quantity)
       WHERE p.sku = line.sku
       RETURNING ${PRODUCT_COLUMNS}
     )
     SELECT * FROM moved ORDER BY sku`,
    [lines.map((line) => line.sku), lines.map((line) => line.quantity), sign],
  );
  return rows.map(toProduct);
}

/** The catalog entry of a product: what `catalog.products` carries, read after a change. */
export function productUpdatedData(product: Product): EventData<typeof ProductUpdatedV2> {
  const { sku, name, priceCents, currency, available, status } = product;
  return { sku, name, priceCents, currency, available, status };
}

/** A ProductUpdatedV2 event per product, so the catalog topic learns each one's new state. */
export function productUpdatedEvents(products: readonly Product[], origin: EventOrigin) {
  return products.map((product) => createEvent(ProductUpdatedV2, productUpdatedData(product), origin));
}
