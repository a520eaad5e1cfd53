import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inventory service's first schema: the tables DESIGN.md says it owns. */
export class InventoryInitialSchema1795300000000 implements MigrationInterface {
  name = 'InventoryInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents bigint NOT NULL CHECK (price_cents >= 0),
        currency    char(3) NOT NULL,
        available   integer NOT NULL CHECK (available >= 0),
        reserved    integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE reservations (
        order_id    uuid NOT NULL,
        sku         text NOT NULL REFERENCES products (sku),
        quantity    integer NOT NULL CHECK (quantity > 0),
        status      text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, sku)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE reservations, products');
  }
}
