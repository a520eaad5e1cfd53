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
    ORDER_MAX_UNSETTLED: count('', 0, 1000),
  })
  .transform((env): OrderAdmissionConfig => ({
    concurrency: env.ORDER_ADMISSION_CONCURRENCY,
    queue: env.ORDER_ADMISSION_QUEUE,
    maxWaitMs: env.ORDER_ADMISSION_MAX_WAIT_MS,
    maxUnsettled: env.ORDER_MAX_UNSETTLED,
    sampleIntervalMs: 500,
  }));

/** Reads the admission settings; fails fast with a ConfigError naming the variable. */
export function loadOrderAdmissionConfig(env: Record<string, string | undefined>): OrderAdmissionConfig {
  return parseEnv(schema, env);
}

/**
 * The saga's backlog as the order service sees it: how many orders are not settled yet. It is counted
 * every `sampleIntervalMs` on the partial index of open orders (one cheap statement, whatever the request
 * rate), and the orders this instance admitted since the count are added to it, so a burst is seen at
 * once, not at the next count. While it is at `maxUnsettled`, new orders are refused: past the saga's
 * capacity an accepted order would only wait longer to settle, and a client told "not now" can come back
 * once the backlog has drained. The count covers every instance; what the others admitted since their
 * last count reaches this one at its next count.
 */
@Injectable()
export class UnsettledOrders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UnsettledOrders.name);
  private counted = 0;
  private admittedSince = 0;
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private failing = false;

  constructor(
    @InjectDataSource(BACKGROUND_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ORDER_ADMISSION_CONFIG) private readonly config: OrderAdmissionConfig,
  ) {}

  /** Refuses while the backlog is full, else counts the request in; the hint is a second. */
  readonly backpressure: Backpressure = () => {
    if (this.config.maxUnsettled === 0) return undefined;
    const estimate = this.estimate();
    if (estimate < this.config.maxUnsettled) {
      this.admittedSince += 1;
      return undefined;
    }
    return {
      reason: `${estimate} orders not settled yet (ORDER_MAX_UNSETTLED ${this.config.maxUnsettled})`,
      retryAfterMs: 1000,
    };
  };

  onApplicationBootstrap(): void {
    if (this.config.maxUnsettled === 0) return;
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    }, this.config.sampleIntervalMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  /** The last count, plus what this instance admitted since. */
  estimate(): number {
    return this.counted + this.admittedSince;
  }

  private async sample(): Promise<void> {
    const admittedBefore = this.admittedSince;
    try {
      const [row]: { count: number }[] = await this.dataSource.query(
        "SELECT count(*)::int AS count FROM orders WHERE status IN ('PENDING', 'CANCELLING')",
      );
      // Admissions made while the count ran may or may not be in it: kept, to err on the full side.
      this.counted = row.count;
      this.admittedSince -= admittedBefore;
      if (this.failing) this.logger.log('counting the unsettled orders works again');
      this.failing = false;
    } catch (error) {
      // Unknown is not full: with the database down, placing fails on its own, with its own answer.
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
