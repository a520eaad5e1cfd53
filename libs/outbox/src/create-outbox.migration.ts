import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox table. `id` is the publication order: writers lock their aggregate row before adding to
 * the outbox, so one key's rows get ids in commit order, and the relay publishes in id order.
 */
export class CreateOutbox1795300000001 implements MigrationInterface {
  name = 'CreateOutbox1795300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id     text NOT NULL UNIQUE,
        event_type   text NOT NULL,
        topic        text NOT NULL,
        record_key   text NOT NULL,
        headers      jsonb NOT NULL,
        payload      text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      );
      CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
      CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outbox');
  }
}
