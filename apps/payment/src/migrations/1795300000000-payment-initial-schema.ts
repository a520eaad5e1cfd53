import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The payment service's first schema: the tables DESIGN.md says it owns. */
export class PaymentInitialSchema1795300000000 implements MigrationInterface {
  name = 'PaymentInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE accounts (
        customer_id   text PRIMARY KEY,
        balance_cents bigint NOT NULL CHECK (balance_cents >= 0),
        currency      char(3) NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE payments (
        order_id      uuid PRIMARY KEY,
        customer_id   text NOT NULL REFERENCES accounts (customer_id),
        amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
        currency      char(3) NOT NULL,
        status        text NOT NULL CHECK (status IN ('AUTHORIZED', 'FAILED', 'REFUNDED')),
        reason        text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE payments, accounts');
  }
}
