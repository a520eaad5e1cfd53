import type { EntityManager } from 'typeorm';

/**
 * Records that `consumer` applies each of `events`, **in the handler's transaction**, in one statement;
 * returns the ids recorded now (an id applied before, or twice in `events`, is recorded once). Two
 * deliveries racing on two instances serialise on the primary key, per event (see `recordInInbox`).
 */
export async function recordAllInInbox(
  manager: EntityManager,
  consumer: string,
  events: readonly { readonly id: string; readonly type: string }[],
): Promise<Set<string>> {
  const rows: { event_id: string }[] = await manager.query(
    `INSERT INTO inbox (consumer, event_id, event_type)
     SELECT $1, event_id, event_type FROM unnest($2::text[], $3::text[]) AS e (event_id, event_type)
     ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
    [consumer, events.map((event) => event.id), events.map((event) => event.type)],
  );
  return new Set(rows.map((row) => row.event_id));
}
