import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/order-status';
import { STUCK_CONFIG, type StuckConfig } from '../../orders/stuck/stuck-config';
import { countStuckOrders, oldestStuckOrders } from '../../orders/stuck/stuck-orders';
import { summarize, type OrderSummary } from './order-summary';

/** How many stuck orders the summary lists (the oldest); the count covers them all. */
const STUCK_LISTED = 20;

/** `GET /dashboard/summary`: the outcome counters over every order of this service, and the stuck ones. */
@Injectable()
export class DashboardSummaryService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(STUCK_CONFIG) private readonly stuckConfig: StuckConfig,
  ) {}

  async summary(): Promise<OrderSummary & { stuck: StuckSummary }> {
    const [rows, count, oldest] = await Promise.all([
      this.dataSource.query<{ status: OrderStatus; reason: string | null; count: number }[]>(
        'SELECT status, reason, count(*)::int AS count FROM orders GROUP BY status, reason',
      ),
      countStuckOrders(this.dataSource, this.stuckConfig.afterMs),
      oldestStuckOrders(this.dataSource, this.stuckConfig.afterMs, STUCK_LISTED),
    ]);
    const orders = oldest.map(({ orderId, lastStep, since }) => ({
      orderId,
      lastStep,
      since: since.toISOString(),
    }));
    return { ...summarize(rows), stuck: { count, orders } };
  }
}

/** The orders not settled within `SAGA_STUCK_AFTER_MS`: how many, and the oldest with their last step. */
export interface StuckSummary {
  readonly count: number;
  readonly orders: readonly { orderId: string; lastStep: string; since: string }[];
}
