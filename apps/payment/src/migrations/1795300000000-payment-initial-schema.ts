import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payment service's first schema: customer accounts, one payment row per order seen, and the
 * ledger. Balances move only together with a ledger entry, so per customer
 * opening − Σ CHARGE + Σ REFUND = balance holds, which the audit checks.
 */
export class PaymentInitialSchema1795300000000 implements MigrationInterface {
  name = 'PaymentInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE accounts (
        customer_id           text PRIMARY KEY,
        currency              char(3) NOT NULL,
        opening_balance_cents bigint NOT NULL CHECK (opening_balance_cents >= 0),
        balance_cents         bigint NOT NULL CHECK (balance_cents >= 0),
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now()
      );
      -- One row per order the service has seen: its payment and where it stands. No FK to accounts:
      -- an unknown customer's order still gets a FAILED row, and so does a cancellation tombstone.
      CREATE TABLE payments (
        order_id       uuid PRIMARY KEY,
        customer_id    text NOT NULL,
        amount_cents   bigint NOT NULL CHECK (amount_cents >= 0),
        currency       char(3) NOT NULL,
        status         text NOT NULL CHECK (status IN ('AUTHORIZED', 'FAILED', 'REFUNDED')),
        failure_reason text,
        refund_reason  text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      );
      -- The ledger: at most one charge and one refund per order, whatever the handlers do.
      CREATE TABLE account_entries (
        id           bigserial PRIMARY KEY,
        customer_id  text NOT NULL REFERENCES accounts (customer_id),
        order_id     uuid NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('CHARGE', 'REFUND')),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, kind)
      );
      CREATE INDEX account_entries_customer_id_idx ON account_entries (customer_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE account_entries, payments, accounts');
  }
}
