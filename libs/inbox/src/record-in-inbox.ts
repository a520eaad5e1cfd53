import type { EntityManager } from 'typeorm';

/**
 * Records that `consumer` applies event `eventId`, **in the handler's transaction**. Returns false when
 * the event was applied before: the caller acknowledges it without side effects. Two deliveries racing
 * on two instances serialise on the primary key: the second waits for the first to commit, then sees
 * the row and returns false; if the first rolls back, the second applies the event.
 */
export async function recordInInbox(
  manager: EntityManager,
  consumer: string,
  event: { readonly id: string; readonly type: string },
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1 AS applied`,
    [consumer, event.id, event.type],
  );
  return rows.length === 1;
}
