import type { EntityManager } from 'typeorm';
import type { OrderStatus, PaymentStatus, StockStatus, TimelineStep } from './order-status';

/** An order row as the saga steps need it. */
export interface OrderRow {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly reason: string | null;
  readonly paymentStatus: PaymentStatus;
  readonly stockStatus: StockStatus;
  /** When the order was placed. */
  readonly placedAt: Date;
}

/** The changes a saga step makes to an order (absent fields stay as they are). */
export type OrderChanges = Partial<Pick<OrderRow, 'status' | 'reason' | 'paymentStatus' | 'stockStatus'>>;

const COLUMNS = `id, customer_id AS "customerId", status, total_cents AS "totalCents", currency, reason,
  payment_status AS "paymentStatus", stock_status AS "stockStatus", created_at AS "placedAt"`;

/**
 * Reads an order and locks it until the transaction ends: the HTTP cancel and the saga's event
 * handlers (several topics, consumed concurrently) change an order one at a time.
 */
export async function lockOrder(manager: EntityManager, orderId: string): Promise<OrderRow | undefined> {
  const rows: (OrderRow & { totalCents: string })[] = await manager.query(
    `SELECT ${COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`,
    [orderId],
  );
  return rows[0] && { ...rows[0], totalCents: Number(rows[0].totalCents) };
}

/** Writes `changes` to the order. */
export async function updateOrder(
  manager: EntityManager,
  orderId: string,
  changes: OrderChanges,
): Promise<void> {
  await manager.query(
    `UPDATE orders SET status = COALESCE($2, status), reason = COALESCE($3, reason),
       payment_status = COALESCE($4, payment_status), stock_status = COALESCE($5, stock_status),
       updated_at = now()
     WHERE id = $1`,
    [orderId, changes.status, changes.reason, changes.paymentStatus, changes.stockStatus],
  );
}

/** Appends a step to the order's timeline, with the event that caused it (if any). */
export async function addTimelineStep(
  manager: EntityManager,
  orderId: string,
  step: TimelineStep,
  event?: { readonly id: string; readonly type: string },
): Promise<void> {
  await manager.query(
    'INSERT INTO order_timeline (order_id, step, event_type, event_id) VALUES ($1, $2, $3, $4)',
    [orderId, step, event?.type ?? null, event?.id ?? null],
  );
}
