import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An `Idempotency-Key` is the customer's own: unique per `(customer_id, idempotency_key)`, not across
 * customers. Globally unique keys let one customer learn (a 409) that another had used a key, and block
 * it for them.
 */
export class OrderIdempotencyPerCustomer1795500000000 implements MigrationInterface {
  name = 'OrderIdempotencyPerCustomer1795500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE orders DROP CONSTRAINT orders_idempotency_key_key;
      ALTER TABLE orders ADD CONSTRAINT orders_customer_idempotency_key_key UNIQUE (customer_id, idempotency_key);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE orders DROP CONSTRAINT orders_customer_idempotency_key_key;
      ALTER TABLE orders ADD CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key);
    `);
  }
}
