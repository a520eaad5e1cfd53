import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  StockReservationFailedV1,
  StockReservedV1,
  createEvent,
  type EventData,
  type EventOf,
  type PaymentAuthorizedV1,
} from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import {
  lockProducts,
  moveStock,
  productUpdatedEvents,
  type Product,
  type StockLine,
} from '../../products/product.repository';
import {
  findReservationStatus,
  insertReservation,
  lockOrder,
  mergeLines,
  type FailureReason,
} from '../reservation.repository';

type FailedLine = EventData<typeof StockReservationFailedV1>['lines'][number];

/** Why the lines cannot all be reserved, with the lines at fault; undefined when they can. */
function checkLines(
  lines: readonly StockLine[],
  products: readonly Product[],
): { reason: FailureReason; lines: FailedLine[] } | undefined {
  const catalog = new Map(products.map((product) => [product.sku, product]));
  const unknown = lines.filter((line) => !catalog.has(line.sku));
  if (unknown.length > 0) {
    return {
      reason: 'UNKNOWN_SKU',
      lines: unknown.map((line) => ({ sku: line.sku, requested: line.quantity, available: 0 })),
    };
  }
  // A product withdrawn from sale keeps its stock on the books, but none of it can be sold.
  const available = (product: Product) => (product.status === 'ACTIVE' ? product.available : 0);
  const short = lines
    .map((line) => ({
      sku: line.sku,
      requested: line.quantity,
      available: available(catalog.get(line.sku)!),
    }))
    .filter((line) => line.available < line.requested);
  return short.length > 0 ? { reason: 'OUT_OF_STOCK', lines: short } : undefined;
}

/**
 * PaymentAuthorized → reserve every line of the order, or none (one transaction):
 * - the order already has a reservation: a CANCELLED tombstone (the cancellation came first) is
 *   answered with StockReservationFailed ORDER_CANCELLED, so payment refunds; any other status
 *   means the order was handled already, and nothing happens;
 * - a SKU not in the catalog → FAILED UNKNOWN_SKU; a line short of stock (a DISCONTINUED product has
 *   none) → FAILED OUT_OF_STOCK; StockReservationFailed lists the lines at fault, stock is untouched;
 * - else the units move from available to reserved, the reservation is RESERVED with its lines, and
 *   StockReserved plus a ProductUpdated per SKU are published.
 */
@Injectable()
export class ReserveStockService {
  async handle(manager: EntityManager, event: EventOf<typeof PaymentAuthorizedV1>): Promise<void> {
    const { orderId } = event.data;
    const origin = { source: 'inventory', causedBy: event };
    await lockOrder(manager, orderId);
    const existing = await findReservationStatus(manager, orderId);
    if (existing === 'CANCELLED') {
      await addToOutbox(
        manager,
        createEvent(StockReservationFailedV1, { orderId, reason: 'ORDER_CANCELLED', lines: [] }, origin),
      );
      return;
    }
    if (existing) return;

    const lines = mergeLines(event.data.items);
    const products = await lockProducts(
      manager,
      lines.map((line) => line.sku),
    );
    const failure = checkLines(lines, products);
    if (failure) {
      await insertReservation(manager, { orderId, status: 'FAILED', failureReason: failure.reason });
      await addToOutbox(manager, createEvent(StockReservationFailedV1, { orderId, ...failure }, origin));
      return;
    }
    const changed = await moveStock(manager, lines, 'reserve');
    await insertReservation(manager, { orderId, status: 'RESERVED', lines });
    await addToOutbox(
      manager,
      createEvent(StockReservedV1, { orderId, items: lines }, origin),
      ...productUpdatedEvents(changed, origin),
    );
  }
}
