/** Something that runs SQL and reports affected rows (a pg Client or Pool). */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<{ rowCount?: number | null }>;
}

/**
 * Forgets inbox entries older than `retentionMs`, in bounded batches (each its own short statement,
 * with the event loop free in between) until none is left or `maxBatches` ran. The retention must exceed
 * the longest time a record can be redelivered (consumer-group offsets retention), or a late duplicate
 * would be applied again (replays are addressed to one group: see REPLAY_FOR_GROUP_HEADER). Returns rows deleted.
 */
export async function deleteExpiredInbox(
  db: Queryable,
  {
    retentionMs,
    batchSize = 1000,
    maxBatches = 20,
  }: { retentionMs: number; batchSize?: number; maxBatches?: number },
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const result = await db.query(
      `DELETE FROM inbox WHERE ctid IN (
         SELECT ctid FROM inbox WHERE received_at < clock_timestamp() - make_interval(secs => $1 / 1000.0)
          LIMIT $2)`,
      [retentionMs, batchSize],
    );
    const count = result.rowCount ?? 0;
    deleted += count;
    if (count < batchSize) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return deleted;
}
