import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/order-status';
import { summarize, type OrderSummary } from './order-summary';

/** `GET /dashboard/summary`: the outcome counters over every order of this service. */
@Injectable()
export class DashboardSummaryService {
  constructor(private readonly dataSource: DataSource) {}

  async summary(): Promise<OrderSummary> {
    const rows = await this.dataSource.query<{ status: OrderStatus; reason: string | null; count: number }[]>(
      'SELECT status, reason, count(*)::int AS count FROM orders GROUP BY status, reason',
    );
    return summarize(rows);
  }
}
