import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { runPeriodically, type PeriodicJob } from '@saga/common';
import {
  ADMISSION_GATE,
  AdmissionGate,
  BACKGROUND_DATA_SOURCE,
  parseEnv,
  type AdmissionLimits,
  type Backpressure,
} from '@saga/platform';

/** How much `POST /orders` admits (docs/operations.md#overload). */
export interface OrderAdmissionConfig extends AdmissionLimits {
  /**
   * New orders are refused while this many orders are unsettled (PENDING or CANCELLING) in the whole
   * service — the saga's backlog. 0: no such bound.
   */
  readonly maxUnsettled: number;
  /** How often the unsettled orders are counted. */
  readonly sampleIntervalMs: number;
}

/** Injection token of the {@link OrderAdmissionConfig}. */
export const ORDER_ADMISSION_CONFIG = Symbol('ORDER_ADMISSION_CONFIG');

const count = (what: string, min: number, fallback: number) =>
  z.coerce
    .number({ error: `must be a number${what}` })
    .int(`must be a whole number${what}`)
    .min(min, `must be at least ${min}${what}`)
    .default(fallback);

const schema = z
  .object({
    ORDER_ADMISSION_CONCURRENCY: count('', 1, 8),
    ORDER_ADMISSION_QUEUE: count('', 0, 64),
    ORDER_ADMISSION_MAX_WAIT_MS: count(' of milliseconds', 0, 100),
    ORDER_ADMISSION_BUDGET_MS: count(' of milliseconds', 0, 2000),
    ORDER_ADMISSION_TARGET_MS: count(' of milliseconds', 0, 100),
    ORDER_MAX_UNSETTLED: count('', 0, 1000),
  })
  .transform((env): OrderAdmissionConfig => ({
    concurrency: env.ORDER_ADMISSION_CONCURRENCY,
    queue: env.ORDER_ADMISSION_QUEUE,
    maxWaitMs: env.ORDER_ADMISSION_MAX_WAIT_MS,
    budgetMs: env.ORDER_ADMISSION_BUDGET_MS,
    targetMs: env.ORDER_ADMISSION_TARGET_MS,
    maxUnsettled: env.ORDER_MAX_UNSETTLED,
    sampleIntervalMs: 100,
  }));

/** Reads the admission settings; fails fast with a ConfigError naming the variable. */
export function loadOrderAdmissionConfig(env: Record<string, string | undefined>): OrderAdmissionConfig {
  return parseEnv(schema, env);
}

/**
 * The saga's backlog as the order service sees it: how many orders are not settled yet. It is counted
 * every `sampleIntervalMs` on the partial index of open orders (one cheap statement, whatever the request
 * rate), and the orders this instance placed since the count are added to it, so a burst is seen at once,
 * not at the next count. While it is at `maxUnsettled`, new orders are refused: past the saga's capacity
 * an accepted order would only wait longer to settle, and a client told "not now" can come back once the
 * backlog has drained. The count covers every instance; what the others placed since their last count
 * reaches this one at its next count. A count that cannot be made (the database away) is no count: the
 * bound is not applied until one succeeds again, and placing fails on its own meanwhile.
 */
@Injectable()
export class UnsettledOrders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UnsettledOrders.name);
  private counted = 0;
  private placedSince = 0;
  /** When the last count succeeded (performance.now()); a count older than three periods is stale. */
  private countedAt = -Infinity;
  private job?: PeriodicJob;
  private failing = false;

  constructor(
    @InjectDataSource(BACKGROUND_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ORDER_ADMISSION_CONFIG) private readonly config: OrderAdmissionConfig,
  ) {}

  /** Refuses while the backlog is full; the hint is a second. */
  readonly backpressure: Backpressure = () => {
    const estimate = this.estimate();
    if (estimate === undefined || estimate < this.config.maxUnsettled) return undefined;
    return {
      reason: `${estimate} orders not settled yet (ORDER_MAX_UNSETTLED ${this.config.maxUnsettled})`,
      retryAfterMs: 1000,
    };
  };

  onApplicationBootstrap(): void {
    if (this.config.maxUnsettled === 0) return;
    this.job = runPeriodically(() => this.sample(), this.config.sampleIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** An order was placed here (committed): counted in until the next count includes it. */
  placed(): void {
    this.placedSince += 1;
  }

  /** The last count plus what was placed here since; undefined without a recent count (or no bound). */
  estimate(): number | undefined {
    if (this.config.maxUnsettled === 0) return undefined;
    if (performance.now() - this.countedAt > 3 * this.config.sampleIntervalMs) return undefined;
    return this.counted + this.placedSince;
  }

  /** Counts once (the timer calls it; tests may too). */
  async sample(): Promise<void> {
    const placedBefore = this.placedSince;
    try {
      const [row]: { count: number }[] = await this.dataSource.query(
        "SELECT count(*)::int AS count FROM orders WHERE status IN ('PENDING', 'CANCELLING')",
      );
      // Orders placed while the count ran may or may not be in it: kept, to err on the full side.
      this.counted = row.count;
      this.placedSince -= placedBefore;
      this.countedAt = performance.now();
      if (this.failing) this.logger.log('counting the unsettled orders works again');
      this.failing = false;
    } catch (error) {
      this.placedSince -= placedBefore; // no count to add them to
      if (!this.failing)
        this.logger.warn(`counting the unsettled orders failed: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}

/** The gate in front of `POST /orders`, and what feeds it. */
export function orderAdmissionProviders(env: Record<string, string | undefined>): Provider[] {
  return [
    { provide: ORDER_ADMISSION_CONFIG, useValue: loadOrderAdmissionConfig(env) },
    UnsettledOrders,
    {
      provide: ADMISSION_GATE,
      inject: [ORDER_ADMISSION_CONFIG, UnsettledOrders],
      useFactory: (config: OrderAdmissionConfig, unsettled: UnsettledOrders) =>
        new AdmissionGate(config, [unsettled.backpressure]),
    },
  ];
}
