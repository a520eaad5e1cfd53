/** Something that runs SQL: a pg Client or Pool, or a TypeORM DataSource/EntityManager via `query`. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The unpublished part of the outbox. */
export interface OutboxBacklog {
  /** Rows not yet published. */
  readonly size: number;
  /** Age of the oldest unpublished row in ms; 0 when the backlog is empty. */
  readonly oldestAgeMs: number;
}

/** Measures the outbox backlog (an index-only scan of the partial unpublished index). */
export async function outboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const result = (await db.query(
    `SELECT count(*)::int AS size,
            coalesce(extract(epoch FROM clock_timestamp() - min(created_at)) * 1000, 0)::float8 AS age
       FROM outbox WHERE published_at IS NULL`,
  )) as { rows?: { size: number; age: number }[] } | { size: number; age: number }[];
  const [row] = Array.isArray(result) ? result : (result.rows ?? []);
  return { size: row?.size ?? 0, oldestAgeMs: Math.round(row?.age ?? 0) };
}
