import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The order service's first schema: the tables DESIGN.md says it owns. */
export class OrderInitialSchema1795300000000 implements MigrationInterface {
  name = 'OrderInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE catalog_products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents bigint NOT NULL CHECK (price_cents >= 0),
        currency    char(3) NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE orders (
        id          uuid PRIMARY KEY,
        customer_id text NOT NULL,
        status      text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLING', 'CANCELLED')),
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        currency    char(3) NOT NULL,
        reason      text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX orders_customer_idx ON orders (customer_id);
      CREATE TABLE order_items (
        order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        sku              text NOT NULL,
        quantity         integer NOT NULL CHECK (quantity > 0),
        unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, sku)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_items, orders, catalog_products');
  }
}
