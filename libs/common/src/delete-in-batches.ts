/** Something that runs SQL and reports affected rows (a pg Client or Pool). */
export interface RowCountQueryable {
  query(sql: string, parameters?: unknown[]): Promise<{ rowCount?: number | null }>;
}

/**
 * Runs a `DELETE … LIMIT $2`-style statement again and again, one bounded batch per statement (short
 * locks, no bloated transaction) and the event loop free in between, until a batch comes back short
 * or `maxBatches` ran. `sql` gets its own `parameters` followed by the batch size. Returns rows deleted.
 */
export async function deleteInBatches(
  db: RowCountQueryable,
  sql: string,
  parameters: unknown[],
  { batchSize, maxBatches }: { batchSize: number; maxBatches: number },
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const count = (await db.query(sql, [...parameters, batchSize])).rowCount ?? 0;
    deleted += count;
    if (count < batchSize) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return deleted;
}
