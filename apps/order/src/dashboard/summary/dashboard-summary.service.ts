import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/order-status';
import { STUCK_CONFIG, type StuckConfig } from '../../orders/stuck/stuck-config';
import { countStuckOrders, newestStuckOrders } from '../../orders/stuck/stuck-orders';
import { z } from 'zod';
import { OrderId } from '@saga/contracts';
import { summarize, OrderSummarySchema } from './order-summary';

/**
 * How many stuck orders the summary lists, the newest first; the count covers them all. The page keeps
 * the 100 newest orders (`MAX_ORDERS` in public/orders-view.js), so the 100 newest stuck orders include
 * every stuck order it shows a card for.
 */
const STUCK_LISTED = 100;

/** `GET /dashboard/summary`: the outcome counters over every order of this service, and the stuck ones. */
@Injectable()
export class DashboardSummaryService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(STUCK_CONFIG) private readonly stuckConfig: StuckConfig,
  ) {}

  async summary(): Promise<DashboardSummary> {
    const [rows, count, newest] = await Promise.all([
      this.dataSource.query<{ status: OrderStatus; reason: string | null; count: number }[]>(
        'SELECT status, reason, count(*)::int AS count FROM orders GROUP BY status, reason',
      ),
      countStuckOrders(this.dataSource, this.stuckConfig.afterMs),
      newestStuckOrders(this.dataSource, this.stuckConfig.afterMs, STUCK_LISTED),
    ]);
    const orders = newest.map(({ orderId, lastStep, since }) => ({
      orderId,
      lastStep,
      since: since.toISOString(),
    }));
    return { ...summarize(rows), stuck: { count, orders } };
  }
}

/** The orders not settled within `SAGA_STUCK_AFTER_MS`: how many, and the newest with their last step. */
const StuckSummarySchema = z.object({
  count: z.number().int().min(0),
  orders: z.array(z.object({ orderId: OrderId, lastStep: z.string(), since: z.iso.datetime() })),
});

/** `GET /dashboard/summary`: the outcome counters, and the stuck orders. */
export const DashboardSummarySchema = OrderSummarySchema.extend({ stuck: StuckSummarySchema }).meta({
  id: 'DashboardSummary',
});
export type DashboardSummary = z.infer<typeof DashboardSummarySchema>;
