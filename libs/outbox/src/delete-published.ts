import { deleteInBatches, type RowCountQueryable } from '@saga/common';

/**
 * Deletes rows published more than `retentionMs` ago, `batchSize` at a time and at most `maxBatches`
 * batches per call, so cleanup never holds long locks or bloats one transaction. Returns rows deleted.
 */
export function deletePublished(
  db: RowCountQueryable,
  {
    retentionMs,
    batchSize = 1000,
    maxBatches = 20,
  }: { retentionMs: number; batchSize?: number; maxBatches?: number },
): Promise<number> {
  return deleteInBatches(
    db,
    `DELETE FROM outbox WHERE id IN (
       SELECT id FROM outbox
        WHERE published_at IS NOT NULL AND published_at < clock_timestamp() - make_interval(secs => $1 / 1000.0)
        ORDER BY published_at LIMIT $2)`,
    [retentionMs],
    { batchSize, maxBatches },
  );
}
