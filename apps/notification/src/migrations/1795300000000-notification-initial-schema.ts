import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The notification service's first schema: the tables DESIGN.md says it owns. */
export class NotificationInitialSchema1795300000000 implements MigrationInterface {
  name = 'NotificationInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications (
        id          uuid PRIMARY KEY,
        order_id    uuid NOT NULL,
        kind        text NOT NULL,
        recipient   text NOT NULL,
        subject     text NOT NULL,
        sent_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX notifications_order_idx ON notifications (order_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE notifications');
  }
}
