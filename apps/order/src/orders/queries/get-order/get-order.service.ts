import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OrderStatus, TimelineStep } from '../../order-status';

/** `GET /orders/:id`: the order, its lines and its saga timeline (DESIGN.md). */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: { sku: string; quantity: number; unitPriceCents: number }[];
  /** Why the order was cancelled (or is being cancelled). */
  readonly reason?: string;
  /** The saga's steps in order; `event` is the event that caused the step, when one did. */
  readonly timeline: { step: TimelineStep; at: string; event?: { type: string; id: string } }[];
}

/** Reads one order for the API, in one snapshot (a REPEATABLE READ transaction). */
@Injectable()
export class GetOrderService {
  constructor(private readonly dataSource: DataSource) {}

  async get(orderId: string): Promise<OrderView> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [order]: {
        id: string;
        customer_id: string;
        status: OrderStatus;
        total_cents: string;
        currency: string;
        reason: string | null;
      }[] = await manager.query(
        'SELECT id, customer_id, status, total_cents, currency, reason FROM orders WHERE id = $1',
        [orderId],
      );
      if (!order) throw new NotFoundException(`no order ${orderId}`);
      const items: { sku: string; quantity: number; unit_price_cents: string }[] = await manager.query(
        'SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY line_no',
        [orderId],
      );
      const steps: { step: TimelineStep; at: Date; event_type: string | null; event_id: string | null }[] =
        await manager.query(
          'SELECT step, at, event_type, event_id FROM order_timeline WHERE order_id = $1 ORDER BY id',
          [orderId],
        );
      return {
        orderId: order.id,
        customerId: order.customer_id,
        status: order.status,
        totalCents: Number(order.total_cents),
        currency: order.currency,
        items: items.map((item) => ({
          sku: item.sku,
          quantity: item.quantity,
          unitPriceCents: Number(item.unit_price_cents),
        })),
        ...(order.reason ? { reason: order.reason } : {}),
        timeline: steps.map((step) => ({
          step: step.step,
          at: step.at.toISOString(),
          ...(step.event_type && step.event_id
            ? { event: { type: step.event_type, id: step.event_id } }
            : {}),
        })),
      };
    });
  }
}
