import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inventory service's first schema: the catalog with its stock, and one reservation per order the
 * service has acted on. Per SKU available + reserved = stocked (a CHECK), and reserved equals the sum
 * of the lines of RESERVED reservations, which the audit checks.
 */
export class InventoryInitialSchema1795300000000 implements MigrationInterface {
  name = 'InventoryInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents bigint NOT NULL CHECK (price_cents >= 0),
        currency    char(3) NOT NULL,
        status      text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISCONTINUED')),
        available   integer NOT NULL CHECK (available >= 0),
        reserved    integer NOT NULL CHECK (reserved >= 0),
        -- units ever received: available + reserved = stocked
        stocked     integer NOT NULL CHECK (stocked >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (available + reserved = stocked)
      );
      -- One row per order the service has acted on. CANCELLED is the tombstone written when the
      -- cancellation arrives before the payment: it stops a late PaymentAuthorized from reserving.
      CREATE TABLE reservations (
        order_id       uuid PRIMARY KEY,
        status         text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'FAILED', 'CANCELLED')),
        failure_reason text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      );
      -- What a reservation holds; kept after release as its history ("held" = lines of RESERVED ones).
      CREATE TABLE reservation_lines (
        order_id uuid NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
        sku      text NOT NULL REFERENCES products (sku),
        quantity integer NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (order_id, sku)
      );
      CREATE INDEX reservation_lines_sku_idx ON reservation_lines (sku);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE reservation_lines, reservations, products');
  }
}
