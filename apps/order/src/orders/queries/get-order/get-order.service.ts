import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { mayAccess, type Principal } from '@saga/platform';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Cents, Currency, CustomerId, OrderId, Quantity, Sku } from '@saga/contracts';
import { OrderStatus, TimelineStep } from '../../order-status';
import { STUCK_CONFIG, type StuckConfig } from '../../stuck/stuck-config';

/** `GET /orders/:id`: the order, its lines and its saga timeline (docs/design.md). */
export const OrderViewSchema = z
  .object({
    orderId: OrderId,
    customerId: CustomerId,
    status: OrderStatus,
    totalCents: Cents,
    currency: Currency,
    items: z.array(z.object({ sku: Sku, quantity: Quantity, unitPriceCents: Cents })),
    reason: z.string().optional().describe('Why the order was cancelled (or is being cancelled).'),
    timeline: z
      .array(
        z.object({
          step: TimelineStep,
          at: z.iso.datetime(),
          event: z.object({ type: z.string(), id: z.string() }).optional(),
        }),
      )
      .describe("The saga's steps in order; `event` is the event that caused the step, when one did."),
    stuck: z
      .object({ since: z.iso.datetime(), lastStep: TimelineStep, deadlineMs: z.number().int() })
      .optional()
      .describe(
        'Present while the order is not settled (PENDING or CANCELLING) `deadlineMs` (`SAGA_STUCK_AFTER_MS`) ' +
          'after it was placed: since when, and the last step its saga reached (docs/operations.md). ' +
          'Absent on a settled order. Not in DESIGN.md: an addition.',
      ),
  })
  .meta({ id: 'Order' });
export type OrderView = z.infer<typeof OrderViewSchema>;

/** Reads one order for the API, in one snapshot (a REPEATABLE READ transaction). */
@Injectable()
export class GetOrderService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(STUCK_CONFIG) private readonly stuckConfig: StuckConfig,
  ) {}

  /** The order as `caller` may see it: a customer's own, any for an admin; another's is not found. */
  async get(orderId: string, caller: Principal): Promise<OrderView> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [order]: {
        id: string;
        customer_id: string;
        status: OrderStatus;
        total_cents: string;
        currency: string;
        reason: string | null;
        deadline: Date;
        past_deadline: boolean;
      }[] = await manager.query(
        // The database's clock, as the detector and the dashboard read it, so that all three agree.
        `SELECT id, customer_id, status, total_cents, currency, reason,
                created_at + make_interval(secs => $2 / 1000.0) AS deadline,
                created_at < now() - make_interval(secs => $2 / 1000.0) AS past_deadline
           FROM orders WHERE id = $1`,
        [orderId, this.stuckConfig.afterMs],
      );
      // Another customer's order answers like a missing one: its existence is not theirs to learn.
      if (!order || !mayAccess(caller, order.customer_id)) throw new NotFoundException(`no order ${orderId}`);
      const items: { sku: string; quantity: number; unit_price_cents: string }[] = await manager.query(
        'SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY line_no',
        [orderId],
      );
      const steps: { step: TimelineStep; at: Date; event_type: string | null; event_id: string | null }[] =
        await manager.query(
          'SELECT step, at, event_type, event_id FROM order_timeline WHERE order_id = $1 ORDER BY id',
          [orderId],
        );
      const unsettled = order.status === 'PENDING' || order.status === 'CANCELLING';
      const stuck =
        unsettled && order.past_deadline && steps.length > 0
          ? {
              since: order.deadline.toISOString(),
              lastStep: steps[steps.length - 1].step,
              deadlineMs: this.stuckConfig.afterMs,
            }
          : undefined;
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
        ...(stuck ? { stuck } : {}),
      };
    });
  }
}
