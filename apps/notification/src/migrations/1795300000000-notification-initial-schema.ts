import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification service's first schema: one row per e-mail, written PENDING by the event handler
 * and turned SENT by the mail dispatcher. `UNIQUE (order_id, kind)` is what makes it one e-mail per order
 * and terminal state, whatever the redeliveries or re-published events.
 */
export class NotificationInitialSchema1795300000000 implements MigrationInterface {
  name = 'NotificationInitialSchema1795300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id    uuid NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED')),
        event_id    text NOT NULL,
        recipient   text NOT NULL,
        subject     text NOT NULL,
        body        text NOT NULL,
        message_id  text NOT NULL UNIQUE,
        status      text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')), -- FAILED: refused for good (5xx)
        attempts    integer NOT NULL DEFAULT 0,
        last_error  text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz,
        UNIQUE (order_id, kind)
      );
      -- The dispatcher's claim: PENDING rows, oldest first.
      CREATE INDEX notifications_pending_idx ON notifications (created_at, id) WHERE status = 'PENDING';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE notifications');
  }
}
