import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The order service's schema: orders with their saga timeline, and the catalog replica. */
export class OrderInitialSchema1795300000000 implements MigrationInterface {
  name = 'OrderInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      -- The local replica of catalog.products (event-carried state transfer). (source_time,
      -- source_offset) is the event time and offset of the record applied last: an older change never
      -- overwrites a newer one, not even when it is replayed from a dead-letter topic at a new offset.
      CREATE TABLE catalog_products (
        sku           text PRIMARY KEY,
        name          text NOT NULL,
        price_cents   bigint NOT NULL CHECK (price_cents >= 0),
        currency      char(3) NOT NULL,
        status        text NOT NULL CHECK (status IN ('ACTIVE', 'DISCONTINUED')),
        available     integer NOT NULL CHECK (available >= 0),
        source_time   timestamptz NOT NULL,
        source_offset bigint NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      -- payment_status and stock_status are what the participants reported: a cancellation completes
      -- once payment is settled (FAILED or REFUNDED) and stock RELEASED.
      CREATE TABLE orders (
        id              uuid PRIMARY KEY,
        customer_id     text NOT NULL,
        status          text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLING', 'CANCELLED')),
        total_cents     bigint NOT NULL CHECK (total_cents >= 0),
        currency        char(3) NOT NULL,
        reason          text,
        payment_status  text NOT NULL DEFAULT 'PENDING'
                        CHECK (payment_status IN ('PENDING', 'AUTHORIZED', 'FAILED', 'REFUNDED')),
        stock_status    text NOT NULL DEFAULT 'PENDING'
                        CHECK (stock_status IN ('PENDING', 'RESERVED', 'FAILED', 'RELEASED')),
        idempotency_key text UNIQUE,
        request_hash    text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX orders_customer_idx ON orders (customer_id);
      CREATE INDEX orders_open_idx ON orders (status) WHERE status IN ('PENDING', 'CANCELLING');
      CREATE TABLE order_items (
        order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no          integer NOT NULL,
        sku              text NOT NULL,
        quantity         integer NOT NULL CHECK (quantity > 0),
        unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, sku)
      );
      CREATE TABLE order_timeline (
        id         bigserial PRIMARY KEY,
        order_id   uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        step       text NOT NULL,
        at         timestamptz NOT NULL DEFAULT clock_timestamp(),
        event_type text,
        event_id   text
      );
      CREATE INDEX order_timeline_order_idx ON order_timeline (order_id, id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_timeline, order_items, orders, catalog_products');
  }
}
