/** The outbox rows of a database, oldest first, as `{ type, data }`: what a use case published. */
export async function readOutbox(db: {
  query<T>(sql: string): Promise<T>;
}): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await db.query<{ event_type: string; payload: string }[]>(
    'SELECT event_type, payload FROM outbox ORDER BY id',
  );
  return rows.map((row) => ({
    type: row.event_type,
    data: JSON.parse(row.payload) as Record<string, unknown>,
  }));
}
