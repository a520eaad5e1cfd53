import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `orders.stuck_at`: when the stuck-saga detector flagged the order (null: never). The partial index
 * holds the unsettled orders by age: the detector's round, the stuck count at each scrape and the
 * dashboard's list read only those.
 */
export class OrderStuckAt1795300000001 implements MigrationInterface {
  name = 'OrderStuckAt1795300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE orders ADD COLUMN stuck_at timestamptz;
      CREATE INDEX orders_open_by_age_idx ON orders (created_at) WHERE status IN ('PENDING', 'CANCELLING');
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX orders_open_by_age_idx; ALTER TABLE orders DROP COLUMN stuck_at');
  }
}
