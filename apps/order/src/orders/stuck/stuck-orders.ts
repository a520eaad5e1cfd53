import type { EntityManager } from 'typeorm';
import type { OrderStatus, TimelineStep } from '../order-status';

/** Something that runs SQL: the DataSource or a transaction's manager. */
type Queryable = Pick<EntityManager, 'query'>;

/** An order not settled within the deadline, and how far its saga got. */
export interface StuckOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** The latest step of its timeline: where to look next (docs/operations.md). */
  readonly lastStep: TimelineStep;
  /** When the deadline passed: placement + `SAGA_STUCK_AFTER_MS`. */
  readonly since: Date;
}

/** The latest timeline step of the order `o`, as SQL. */
const LAST_STEP = '(SELECT t.step FROM order_timeline t WHERE t.order_id = o.id ORDER BY t.id DESC LIMIT 1)';

const UNSETTLED = "o.status IN ('PENDING', 'CANCELLING')";

/** Orders unsettled past the deadline, as SQL (deadline in ms as `$1`). */
const PAST_DEADLINE = `${UNSETTLED} AND o.created_at < now() - make_interval(secs => $1 / 1000.0)`;

interface StuckRow {
  id: string;
  status: OrderStatus;
  last_step: TimelineStep;
  since: Date;
}

const stuckOrder = (row: StuckRow): StuckOrder => ({
  orderId: row.id,
  status: row.status,
  lastStep: row.last_step,
  since: row.since,
});

/**
 * Flags the orders that passed the deadline since the last round, in one statement, and returns them.
 * `stuck_at IS NULL` makes each order flagged once, whatever the number of order instances.
 */
export async function flagStuckOrders(db: Queryable, afterMs: number): Promise<StuckOrder[]> {
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected].
  const [rows]: [StuckRow[], number] = await db.query(
    `UPDATE orders o SET stuck_at = now()
      WHERE ${PAST_DEADLINE} AND o.stuck_at IS NULL
      RETURNING o.id, o.status, ${LAST_STEP} AS last_step,
                o.created_at + make_interval(secs => $1 / 1000.0) AS since`,
    [afterMs],
  );
  return rows.map(stuckOrder);
}

/** How many orders are stuck now, flagged yet or not. */
export async function countStuckOrders(db: Queryable, afterMs: number): Promise<number> {
  const [row]: { count: number }[] = await db.query(
    `SELECT count(*)::int AS count FROM orders o WHERE ${PAST_DEADLINE}`,
    [afterMs],
  );
  return row.count;
}

/** The newest `limit` orders stuck now, flagged yet or not. */
export async function newestStuckOrders(
  db: Queryable,
  afterMs: number,
  limit: number,
): Promise<StuckOrder[]> {
  const rows: StuckRow[] = await db.query(
    `SELECT o.id, o.status, ${LAST_STEP} AS last_step, o.created_at + make_interval(secs => $1 / 1000.0) AS since
       FROM orders o WHERE ${PAST_DEADLINE} ORDER BY o.created_at DESC, o.id DESC LIMIT $2`,
    [afterMs, limit],
  );
  return rows.map(stuckOrder);
}
