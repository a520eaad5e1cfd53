import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbox: which consumer has applied which event (the message log of Eventuate Tram). */
export class CreateInbox1795300000002 implements MigrationInterface {
  name = 'CreateInbox1795300000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE inbox (
        consumer    text NOT NULL,
        event_id    text NOT NULL,
        event_type  text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (consumer, event_id)
      );
      CREATE INDEX inbox_received_at_idx ON inbox (received_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE inbox');
  }
}
