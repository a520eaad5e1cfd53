import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { Counter, Gauge } from 'prom-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runPeriodically, withOrderId, type PeriodicJob } from '@saga/common';
import { BACKGROUND_DATA_SOURCE, TELEMETRY, scrapeWithin, type Telemetry } from '@saga/platform';
import { STUCK_CONFIG, type StuckConfig } from './stuck-config';
import { countStuckOrders, flagStuckOrders } from './stuck-orders';

/**
 * Stuck-saga detection. The saga has no timers and no coordinator (ADR 0008): an order that never
 * settles is a fault elsewhere — a service down, a record in a DLQ. Every `SAGA_STUCK_CHECK_INTERVAL_MS`
 * this flags the orders not settled `SAGA_STUCK_AFTER_MS` after they were placed (once each, whatever
 * the number of instances) and logs a warning per order with its last step; at `GET /metrics`,
 * `saga_orders_stuck` counts the orders stuck now and `saga_orders_flagged_stuck_total` those flagged.
 * It changes no order's status: a stuck order settles by itself once the fault is mended.
 */
@Injectable()
export class StuckOrderDetector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StuckOrderDetector.name);
  private readonly flagged: Counter;
  private job?: PeriodicJob;

  constructor(
    @InjectDataSource(BACKGROUND_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STUCK_CONFIG) private readonly config: StuckConfig,
    @Inject(TELEMETRY) telemetry: Telemetry,
  ) {
    const registers = [telemetry.metrics.registry];
    this.flagged = new Counter({
      name: 'saga_orders_flagged_stuck_total',
      help: 'Orders this instance flagged as not settled within SAGA_STUCK_AFTER_MS.',
      registers,
    });
    const stuck: Gauge = new Gauge({
      name: 'saga_orders_stuck',
      help: 'Orders not settled within SAGA_STUCK_AFTER_MS of their placement, now (NaN if unreadable).',
      registers,
      collect: async () => {
        const count = countStuckOrders(this.dataSource, this.config.afterMs);
        stuck.set(await scrapeWithin(count, 'counting the stuck orders').catch(() => Number.NaN));
      },
    });
  }

  onApplicationBootstrap(): void {
    this.job = runPeriodically(() => this.flagRound(), this.config.checkIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One round: flags the orders that passed the deadline since the last one, and logs each. */
  async flagRound(): Promise<void> {
    try {
      const orders = await flagStuckOrders(this.dataSource, this.config.afterMs);
      this.flagged.inc(orders.length);
      for (const order of orders) {
        context.with(withOrderId(context.active(), order.orderId), () =>
          this.logger.warn(
            `order ${order.orderId} stuck: not settled ${this.config.afterMs / 1000} s after it was placed; ` +
              `status ${order.status}, last step ${order.lastStep}`,
          ),
        );
      }
    } catch (error) {
      this.logger.error(`stuck-order check failed: ${(error as Error).message}`);
    }
  }
}
