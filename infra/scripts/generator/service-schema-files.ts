import type { ServiceSpec } from './service-spec';

/*
 * The generated service's storage: its first migration (the order_progress table), the migrations'
 * index, and the repository that writes a row per order.
 */

const migrationClass = (spec: ServiceSpec, timestamp: number) => `${spec.pascal}InitialSchema${timestamp}`;

/** `src/migrations/index.ts`: the service's migrations, in order. */
export function migrationIndex(spec: ServiceSpec, timestamp: number): string {
  return `import { ${migrationClass(spec, timestamp)} } from './${timestamp}-${spec.name}-initial-schema';

/** The ${spec.name} service's migrations, in order: the app runs them at boot, after the outbox's and the inbox's. */
export const ${spec.pascal.toUpperCase()}_MIGRATIONS = [${migrationClass(spec, timestamp)}];
`;
}

/** `src/migrations/<timestamp>-<name>-initial-schema.ts`: the order_progress table. */
export function migration(spec: ServiceSpec, timestamp: number): string {
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ${spec.name} service's first schema: one row per order it has seen, with the last saga event it
 * applied. \`events_seen\` counts the events applied, so a redelivery that got past the inbox would show.
 * The outbox and inbox tables come from the platform's own migrations, which run first.
 */
export class ${migrationClass(spec, timestamp)} implements MigrationInterface {
  name = '${migrationClass(spec, timestamp)}';

  async up(db: QueryRunner): Promise<void> {
    await db.query(\`
      CREATE TABLE order_progress (
        order_id        uuid PRIMARY KEY,
        last_event_type text NOT NULL,
        last_event_id   text NOT NULL,
        events_seen     integer NOT NULL DEFAULT 1 CHECK (events_seen > 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
    \`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_progress');
  }
}
`;
}

/** `src/orders/order-progress.repository.ts`: records an applied event against its order. */
export function progressRepository(spec: ServiceSpec): string {
  return `import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saga/contracts';

/** What the ${spec.name} service knows of an order: the last saga event it applied. */
export interface OrderProgress {
  readonly orderId: string;
  readonly lastEventType: string;
  readonly eventsSeen: number;
}

/**
 * Records that \`event\` was applied to its order, in the handler's transaction (\`manager\`): the row
 * commits together with the inbox entry and the outbox rows, or not at all.
 */
export async function recordProgress(
  manager: EntityManager,
  event: EventEnvelope<{ readonly orderId: string }>,
): Promise<OrderProgress> {
  const [row] = await manager.query<{ order_id: string; last_event_type: string; events_seen: number }[]>(
    \`INSERT INTO order_progress (order_id, last_event_type, last_event_id)
     VALUES ($1, $2, $3)
     ON CONFLICT (order_id) DO UPDATE
       SET last_event_type = EXCLUDED.last_event_type,
           last_event_id = EXCLUDED.last_event_id,
           events_seen = order_progress.events_seen + 1,
           updated_at = now()
     RETURNING order_id, last_event_type, events_seen\`,
    [event.data.orderId, event.type, event.id],
  );
  return { orderId: row.order_id, lastEventType: row.last_event_type, eventsSeen: row.events_seen };
}
`;
}
