import { createHash, randomUUID } from 'node:crypto';
import { tagActiveSpanWithOrder } from '@saga/common';
import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { OrderId, OrderPlacedV1, createEvent } from '@saga/contracts';
import { addToOutbox } from '@saga/outbox';
import { checkBudget } from '@saga/platform';
import { findCatalogProducts } from '../../../catalog/catalog-product';
import { OrderStatus, type TimelineStep } from '../../order-status';
import { UnsettledOrders } from './order-admission';
import type { OrderToPlace } from './place-order.dto';
import { priceOrder, type PricedOrder } from './price-order';

/** The answer to `POST /orders`: the order's id, `PENDING` (or where it stands, for a repeated key). */
export const PlacedOrderSchema = z
  .object({ orderId: OrderId, status: OrderStatus })
  .meta({ id: 'PlacedOrder' });
export type PlacedOrder = z.infer<typeof PlacedOrderSchema>;

/** Thrown inside the transaction when another request took the idempotency key first. */
class KeyTaken extends Error {}

/**
 * Places an order: prices it from the catalog replica, then in one transaction writes the order, its
 * lines, the first timeline step and the OrderPlaced event (transactional outbox).
 *
 * With an `Idempotency-Key`, the same key and body answer the same order again, and the same key with
 * another body is a 409. Two requests racing with one key meet on the key's unique index: the second
 * waits for the first to commit, inserts nothing, and answers the first one's order.
 *
 * Behind the admission gate, a request has a time budget (`ORDER_ADMISSION_BUDGET_MS`): one that has
 * spent it before the transaction, or by the time it would commit, gives up and rolls back — a 503 that
 * created nothing, instead of an order placed for a client that stopped waiting.
 */
@Injectable()
export class PlaceOrderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unsettled: UnsettledOrders,
  ) {}

  async place(body: OrderToPlace, idempotencyKey?: string): Promise<PlacedOrder> {
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (idempotencyKey) {
      const earlier = await this.findByKey(body.customerId, idempotencyKey, requestHash);
      if (earlier) return earlier;
    }
    const priced = priceOrder(
      body.items,
      await findCatalogProducts(
        this.dataSource,
        body.items.map((i) => i.sku),
      ),
    );
    checkBudget(); // past its budget already: not worth a transaction
    try {
      const placed = await this.dataSource.transaction(async (manager) => {
        const order = await this.insert(manager, body.customerId, priced, idempotencyKey, requestHash);
        checkBudget(); // the client may have stopped waiting: roll back rather than commit unseen
        return order;
      });
      this.unsettled.placed(); // the saga's backlog grew by one, before the next count says so
      return placed;
    } catch (error) {
      if (!(error instanceof KeyTaken)) throw error;
      return (await this.findByKey(body.customerId, idempotencyKey!, requestHash))!;
    }
  }

  private async insert(
    manager: EntityManager,
    customerId: string,
    priced: PricedOrder,
    idempotencyKey: string | undefined,
    requestHash: string,
  ): Promise<PlacedOrder> {
    const orderId = randomUUID();
    tagActiveSpanWithOrder(orderId);
    // The order, its lines and its first timeline step in one statement: one round trip instead of
    // three, which is what a request's latency is made of when the process is short of CPU. A key taken
    // already inserts nothing at all (the lines and the step hang off the order's RETURNING).
    const inserted: unknown[] = await manager.query(
      `WITH placed AS (
         INSERT INTO orders (id, customer_id, status, total_cents, currency, idempotency_key, request_hash)
         VALUES ($1, $2, 'PENDING', $3, $4, $5, $6)
         ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING id
       ), lines AS (
         INSERT INTO order_items (order_id, line_no, sku, quantity, unit_price_cents)
         SELECT placed.id, l.line_no, l.sku, l.quantity, l.unit_price_cents
           FROM placed,
                unnest($7::text[], $8::int[], $9::bigint[]) WITH ORDINALITY AS l(sku, quantity, unit_price_cents, line_no)
       ), step AS (
         INSERT INTO order_timeline (order_id, step) SELECT id, $10 FROM placed
       )
       SELECT id FROM placed`,
      [
        orderId,
        customerId,
        priced.totalCents,
        priced.currency,
        idempotencyKey ?? null,
        requestHash,
        priced.items.map((item) => item.sku),
        priced.items.map((item) => item.quantity),
        priced.items.map((item) => item.unitPriceCents),
        'PLACED' satisfies TimelineStep,
      ],
    );
    if (inserted.length === 0) throw new KeyTaken();
    await addToOutbox(
      manager,
      createEvent(OrderPlacedV1, { orderId, customerId, ...priced }, { source: 'order' }),
    );
    return { orderId, status: 'PENDING' };
  }

  /** The order an earlier request of this customer with this key placed; 409 if it had another body. */
  private async findByKey(
    customerId: string,
    idempotencyKey: string,
    requestHash: string,
  ): Promise<PlacedOrder | undefined> {
    const rows: { id: string; status: OrderStatus; request_hash: string }[] = await this.dataSource.query(
      'SELECT id, status, request_hash FROM orders WHERE customer_id = $1 AND idempotency_key = $2',
      [customerId, idempotencyKey],
    );
    if (rows.length === 0) return undefined;
    if (rows[0].request_hash !== requestHash) {
      throw new ConflictException(
        'this Idempotency-Key was used with another request body; use a new key for a new order',
      );
    }
    return { orderId: rows[0].id, status: rows[0].status };
  }
}
