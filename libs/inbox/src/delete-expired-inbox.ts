import { deleteInBatches, type RowCountQueryable } from '@saga/common';

/**
 * Forgets inbox entries older than `retentionMs`, in bounded batches until none is left (or
 * `maxBatches` ran). The retention must exceed the longest time a record can be redelivered (the
 * consumer-group offsets retention), or a late duplicate would be applied again; replays are addressed
 * to one group only (`saga_replay_for_group`). Returns rows deleted.
 */
export function deleteExpiredInbox(
  db: RowCountQueryable,
  {
    retentionMs,
    batchSize = 5000,
    maxBatches = Number.POSITIVE_INFINITY,
  }: { retentionMs: number; batchSize?: number; maxBatches?: number },
): Promise<number> {
  return deleteInBatches(
    db,
    `DELETE FROM inbox WHERE ctid IN (
       SELECT ctid FROM inbox WHERE received_at < clock_timestamp() - make_interval(secs => $1 / 1000.0) LIMIT $2)`,
    [retentionMs],
    { batchSize, maxBatches },
  );
}
