import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Counter, Histogram } from 'prom-client';
import { TELEMETRY, afterCommit, type Telemetry } from '@saga/platform';

/** How a saga ended, as the metrics label it. */
export type SagaOutcome = 'confirmed' | 'cancelled';

/**
 * How sagas end, at `GET /metrics`: `saga_orders_settled_total{outcome}` and the end-to-end duration from
 * placement to the terminal status, `saga_order_duration_seconds{outcome}`. Counted once the settling
 * transaction commits, so a retried or rolled-back step never counts twice.
 */
@Injectable()
export class SagaOutcomeMetrics {
  private readonly settled: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;

  constructor(@Inject(TELEMETRY) telemetry: Telemetry) {
    const registers = [telemetry.metrics.registry];
    this.settled = new Counter({
      name: 'saga_orders_settled_total',
      help: 'Orders that reached CONFIRMED or CANCELLED.',
      labelNames: ['outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'saga_order_duration_seconds',
      help: 'From POST /orders to CONFIRMED or CANCELLED.',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }

  /** Counts an order settled in the transaction of `manager`, once that commits. */
  settledIn(manager: EntityManager, outcome: SagaOutcome, placedAt: Date): void {
    afterCommit(manager, () => {
      this.settled.inc({ outcome });
      this.duration.observe({ outcome }, Math.max(0, Date.now() - placedAt.getTime()) / 1000);
    });
  }
}
