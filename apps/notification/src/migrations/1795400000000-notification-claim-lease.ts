import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dispatcher's claim on a mail becomes a lease in the row (`claimed_until`) instead of a row lock
 * held for the whole send: when the database connection is cut after the SMTP server accepted a mail,
 * the dispatcher can still mark it SENT on a new connection, and no other instance takes it meanwhile.
 * A failed mail's backoff is the same lease, so every instance respects it.
 */
export class NotificationClaimLease1795400000000 implements MigrationInterface {
  name = 'NotificationClaimLease1795400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE notifications ADD COLUMN claimed_until timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE notifications DROP COLUMN claimed_until');
  }
}
