import type { EntityManager } from 'typeorm';
import type { OrderStatus, TimelineStep } from '../../orders/order-status';
import { LOOK_BACK_IDS } from './step-cursor';

/** An order as the dashboard shows it: its current state, with its lines. */
export interface OrderCard {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly reason: string | null;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: { sku: string; quantity: number }[];
  readonly createdAt: string;
}

/** One row of `order_timeline`: `id` orders the steps of every order. */
export interface FeedStep {
  readonly id: number;
  readonly orderId: string;
  readonly step: TimelineStep;
  readonly at: string;
}

/** Orders the snapshot holds, newest first. */
export const SNAPSHOT_ORDERS = 50;

interface CardRow extends Omit<OrderCard, 'totalCents' | 'createdAt'> {
  totalCents: string;
  createdAt: Date;
}

const CARD = `SELECT o.id AS "orderId", o.customer_id AS "customerId", o.status, o.reason,
    o.total_cents AS "totalCents", o.currency, o.created_at AS "createdAt",
    (SELECT COALESCE(json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity) ORDER BY i.line_no), '[]')
       FROM order_items i WHERE i.order_id = o.id) AS items`;

const toCard = ({ totalCents, createdAt, ...row }: CardRow): OrderCard => ({
  ...row,
  totalCents: Number(totalCents),
  createdAt: createdAt.toISOString(),
});

const toStep = (row: { id: number | string; orderId: string; step: TimelineStep; at: Date | string }) => ({
  id: Number(row.id),
  orderId: row.orderId,
  step: row.step,
  at: new Date(row.at).toISOString(),
});

/**
 * The latest orders with their whole timelines, the highest timeline id visible, and the ids near it
 * (the snapshot sent them: the feed must not send them again). Run it in one REPEATABLE READ
 * transaction so that all three describe the same moment.
 */
export async function readSnapshot(manager: EntityManager) {
  const [{ highest }]: { highest: string }[] = await manager.query(
    'SELECT COALESCE(max(id), 0) AS highest FROM order_timeline',
  );
  const near: { id: string }[] = await manager.query('SELECT id FROM order_timeline WHERE id > $1', [
    Number(highest) - LOOK_BACK_IDS,
  ]);
  const rows: (CardRow & { timeline: FeedStep[] })[] = await manager.query(
    `${CARD},
       (SELECT json_agg(json_build_object('id', t.id, 'orderId', t.order_id, 'step', t.step, 'at', t.at)
                        ORDER BY t.id)
          FROM order_timeline t WHERE t.order_id = o.id) AS timeline
     FROM orders o ORDER BY o.created_at DESC, o.id DESC LIMIT $1`,
    [SNAPSHOT_ORDERS],
  );
  return {
    highest: Number(highest),
    sent: near.map((row) => Number(row.id)),
    orders: rows.map(({ timeline, ...row }) => ({ ...toCard(row), timeline: (timeline ?? []).map(toStep) })),
  };
}

/** Timeline rows with an id above `floor`, oldest first: enough to hold the look-back and new ones. */
export async function readStepsAbove(manager: EntityManager, floor: number): Promise<FeedStep[]> {
  const rows: { id: string; orderId: string; step: TimelineStep; at: Date }[] = await manager.query(
    `SELECT id, order_id AS "orderId", step, at FROM order_timeline WHERE id > $1 ORDER BY id LIMIT $2`,
    [floor, LOOK_BACK_IDS + 500],
  );
  return rows.map(toStep);
}

/** The current state of the given orders. */
export async function readOrderCards(
  manager: EntityManager,
  orderIds: readonly string[],
): Promise<OrderCard[]> {
  if (orderIds.length === 0) return [];
  const rows: CardRow[] = await manager.query(`${CARD} FROM orders o WHERE o.id = ANY($1::uuid[])`, [
    orderIds,
  ]);
  return rows.map(toCard);
}
