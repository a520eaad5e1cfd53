import type { EntityManager } from 'typeorm';
import { bySku, type StockLine } from '../products/product.repository';

/**
 * Where the service stands with an order: RESERVED holds stock; RELEASED held it once (or failed) and
 * was cancelled; FAILED could not reserve; CANCELLED is the tombstone of a cancellation that came
 * before the payment.
 */
export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'FAILED' | 'CANCELLED';

/** Why a reservation failed (the reason StockReservationFailed carries). */
export type FailureReason = 'OUT_OF_STOCK' | 'UNKNOWN_SKU';

/**
 * Takes the order's "semantic lock" to the end of the transaction: the order's events arrive on
 * several topics (PaymentAuthorized, OrderCancellationRequested) and may be handled concurrently, so
 * each handler of an order waits for the other to commit before it reads the reservation.
 */
export async function lockOrder(manager: EntityManager, orderId: string): Promise<void> {
  await manager.query("SELECT pg_advisory_xact_lock(hashtext('inventory.order'), hashtext($1))", [orderId]);
}

/** The status of the order's reservation, or undefined when the service has not acted on the order. */
export async function findReservationStatus(
  manager: EntityManager,
  orderId: string,
): Promise<ReservationStatus | undefined> {
  const rows = await manager.query<{ status: ReservationStatus }[]>(
    'SELECT status FROM reservations WHERE order_id = $1',
    [orderId],
  );
  return rows[0]?.status;
}

/** Writes the order's reservation with its lines (none unless RESERVED). */
export async function insertReservation(
  manager: EntityManager,
  reservation: {
    orderId: string;
    status: ReservationStatus;
    failureReason?: FailureReason;
    lines?: readonly StockLine[];
  },
): Promise<void> {
  const { orderId, status, failureReason, lines = [] } = reservation;
  await manager.query('INSERT INTO reservations (order_id, status, failure_reason) VALUES ($1, $2, $3)', [
    orderId,
    status,
    failureReason ?? null,
  ]);
  if (lines.length === 0) return;
  await manager.query(
    `INSERT INTO reservation_lines (order_id, sku, quantity)
     SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS line (sku, quantity)`,
    [orderId, lines.map((line) => line.sku), lines.map((line) => line.quantity)],
  );
}

/** Moves the order's reservation to `status`; its lines stay as the history of what was held. */
export async function updateReservationStatus(
  manager: EntityManager,
  orderId: string,
  status: ReservationStatus,
): Promise<void> {
  await manager.query('UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1', [
    orderId,
    status,
  ]);
}

/** The lines of the order's reservation, in SKU order. */
export async function findReservationLines(manager: EntityManager, orderId: string): Promise<StockLine[]> {
  const rows = await manager.query<StockLine[]>(
    'SELECT sku, quantity FROM reservation_lines WHERE order_id = $1',
    [orderId],
  );
  return rows.sort(bySku);
}

/**
 * One line per SKU, quantities added up, in SKU order: an order may name a SKU twice, and a
 * reservation holds each SKU once.
 */
export function mergeLines(items: readonly StockLine[]): StockLine[] {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of items) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity })).sort(bySku);
}
