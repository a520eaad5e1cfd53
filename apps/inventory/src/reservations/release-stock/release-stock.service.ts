import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  StockReleasedV1,
  createEvent,
  type EventOf,
  type OrderCancellationRequestedV1,
} from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { lockProducts, moveStock, productUpdatedEvents } from '../../products/product.repository';
import {
  findReservationLines,
  findReservationStatus,
  insertReservation,
  lockOrder,
  updateReservationStatus,
} from '../reservation.repository';

/**
 * OrderCancellationRequested → give back what the order holds (compensation). Every first answer is a
 * StockReleased, empty when nothing was held, because the order service waits for it to cancel:
 * - RESERVED → the lines' units go back to available, status RELEASED, StockReleased with the lines
 *   and a ProductUpdated per SKU;
 * - FAILED → nothing was held: status RELEASED, StockReleased with no items;
 * - no reservation (the payment has not reached inventory yet) → a CANCELLED tombstone, which makes a
 *   late PaymentAuthorized fail instead of reserving, and StockReleased with no items;
 * - CANCELLED or RELEASED → answered already, nothing happens.
 */
@Injectable()
export class ReleaseStockService {
  async handle(manager: EntityManager, event: EventOf<typeof OrderCancellationRequestedV1>): Promise<void> {
    const { orderId } = event.data;
    const origin = { source: 'inventory', causedBy: event };
    await lockOrder(manager, orderId);
    const status = await findReservationStatus(manager, orderId);
    if (status === 'CANCELLED' || status === 'RELEASED') return;

    if (status === undefined) {
      await insertReservation(manager, { orderId, status: 'CANCELLED' });
      await addToOutbox(manager, createEvent(StockReleasedV1, { orderId, items: [] }, origin));
      return;
    }
    if (status === 'FAILED') {
      await updateReservationStatus(manager, orderId, 'RELEASED');
      await addToOutbox(manager, createEvent(StockReleasedV1, { orderId, items: [] }, origin));
      return;
    }
    const lines = await findReservationLines(manager, orderId);
    await lockProducts(
      manager,
      lines.map((line) => line.sku),
    );
    const changed = await moveStock(manager, lines, 'release');
    await updateReservationStatus(manager, orderId, 'RELEASED');
    await addToOutbox(
      manager,
      createEvent(StockReleasedV1, { orderId, items: lines }, origin),
      ...productUpdatedEvents(changed, origin),
    );
  }
}
