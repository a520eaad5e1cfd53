import type { Kafka, Producer } from 'kafkajs';
import { idempotentProducer, readToEnd, waitFor } from '@saga/common';
import { SERVICE_NAMES, TOPICS, type PlatformServiceName, type ServiceName } from '@saga/contracts';
import { auditSaga, type AuditReport } from '../audit/audit';
import { DatabasePools } from './database-pools';
import { platformBacklog } from './platform-backlog';
import { testKafka, type CapturedMail } from '@saga/test-kit';
import { SagaClient, type OrderRequest, type OrderView } from './saga-client';
import { SagaPlatform, type SagaPlatformOptions, type SagaSeed, type SagaServices } from './saga-platform';

const SETTLED = ['CONFIRMED', 'CANCELLED'];

/**
 * What the harness needs of a private copy of the platform, whether its services run in this process
 * ({@link SagaPlatform}) or as processes of their own (`ProcessPlatform`).
 */
export interface SagaTarget {
  /** `KAFKA_TOPIC_PREFIX` of the copy. */
  readonly topicPrefix: string;
  readonly databases: Readonly<Record<PlatformServiceName, { readonly url: string }>>;
  /** Every e-mail the copy's SMTP server received. */
  readonly smtp: { readonly mails: readonly CapturedMail[] };
  /** The base URL of a running instance of a service. */
  url(service: PlatformServiceName): string;
  /** The service's consumer group (also its inbox consumer name). */
  groupId(service: PlatformServiceName): string;
  /** Stops everything and removes the copy's databases and topics. */
  destroy(): Promise<void>;
}

/**
 * The saga test harness: a private platform ({@link SagaPlatform}, or any {@link SagaTarget}), an HTTP
 * client for it, and the waits and checks saga tests need — `placeOrderAndWait`, `waitForSettled`,
 * `waitForDrain`, `audit`.
 */
export class SagaHarness<Platform extends SagaTarget = SagaPlatform> extends SagaClient {
  private readonly kafka: Kafka = testKafka('saga-harness');
  private producer?: Producer;
  private readonly databases = new DatabasePools<PlatformServiceName>(
    (service) => this.platform.databases[service].url,
  );

  private constructor(readonly platform: Platform) {
    super((service) => platform.url(service));
  }

  /**
   * Starts a private platform with `seed` (see {@link SagaPlatform.start} for `options`), and waits until
   * the order service's catalog replica has it.
   */
  static async start(
    label: string,
    services: SagaServices,
    seed: SagaSeed,
    options: SagaPlatformOptions = {},
  ): Promise<SagaHarness> {
    const platform = await SagaPlatform.start(label, services, seed, options);
    return SagaHarness.over(
      platform,
      seed.products.map((product) => product.sku),
    );
  }

  /** A harness over a running copy, once the order service's catalog replica holds `skus`. */
  static async over<Platform extends SagaTarget>(
    platform: Platform,
    skus: readonly string[],
  ): Promise<SagaHarness<Platform>> {
    const harness = new SagaHarness(platform);
    await waitSeeing(
      async () => {
        const [{ count }] = await harness.query<{ count: string }>(
          'order',
          'SELECT count(*) FROM catalog_products WHERE sku = ANY($1)',
          [[...skus]],
        );
        return { done: Number(count) === skus.length, seen: `${count}/${skus.length} products replicated` };
      },
      30_000,
      'the catalog replica to hold the seeded products',
    );
    return harness;
  }

  /** Places an order (expects 202) and resolves with it once its saga has settled. */
  async placeOrderAndWait(order: OrderRequest, timeoutMs = 60_000): Promise<OrderView> {
    const answer = await this.placeOrder(order);
    if (answer.status !== 202)
      throw new Error(`POST /orders: ${answer.status} ${JSON.stringify(answer.body)}`);
    return this.waitForSettled(answer.body.orderId, timeoutMs);
  }

  /**
   * Resolves once the order is CONFIRMED or CANCELLED (or `status`, if given) and the e-mail for that
   * state has reached the SMTP sink. On timeout the error shows the order as last seen, with its timeline.
   */
  async waitForSettled(
    orderId: string,
    timeoutMs = 60_000,
    status?: OrderView['status'],
  ): Promise<OrderView> {
    let order: OrderView | undefined;
    await waitSeeing(
      async () => {
        order = await this.getOrder(orderId);
        const settled = status ? order.status === status : SETTLED.includes(order.status);
        const mailed = settled && this.mailFor(orderId, order.status) !== undefined;
        return {
          done: mailed,
          seen: `${JSON.stringify(order)}${settled && !mailed ? ' (no e-mail yet)' : ''}`,
        };
      },
      timeoutMs,
      `order ${orderId} to settle`,
    );
    return order!;
  }

  /**
   * {@link waitForSettled} for many orders at once: one query a round instead of a request per order
   * (hundreds of pollers would load the service under test more than the orders do).
   */
  async waitForAllSettled(
    orderIds: readonly string[],
    timeoutMs = 120_000,
    /** Orders that must reach this status (a cancelled one passes through CONFIRMED, say). */
    required: ReadonlyMap<string, OrderView['status']> = new Map(),
  ): Promise<OrderView[]> {
    await waitSeeing(
      async () => {
        const rows = await this.query<{ id: string; status: string }>(
          'order',
          'SELECT id, status FROM orders WHERE id = ANY($1)',
          [orderIds],
        );
        const open = rows.filter(
          (row) =>
            !(required.get(row.id) ?? SETTLED).includes(row.status) || !this.mailFor(row.id, row.status),
        );
        const missing = orderIds.length - rows.length;
        const seen = open.slice(0, 5).map((row) => `${row.id} ${row.status}`);
        return {
          done: open.length === 0 && missing === 0,
          seen: `${open.length} not settled (${seen.join(', ')}${open.length > 5 ? ', …' : ''}), ${missing} missing`,
        };
      },
      timeoutMs,
      `${orderIds.length} orders to settle`,
    );
    return Promise.all(orderIds.map((orderId) => this.getOrder(orderId)));
  }

  /**
   * Resolves once the order's timeline shows `step`, or the order is CANCELLED without it (a step that
   * will never come). Polls the database, so many callers at once do not load the service under test.
   */
  async waitForStep(orderId: string, step: string, timeoutMs = 60_000): Promise<void> {
    await waitSeeing(
      async () => {
        const [row] = await this.query<{ status: string; steps: string[] }>(
          'order',
          `SELECT status, array(SELECT step FROM order_timeline t WHERE t.order_id = o.id ORDER BY t.id) AS steps
             FROM orders o WHERE id = $1`,
          [orderId],
        );
        const done = row !== undefined && (row.steps.includes(step) || row.status === 'CANCELLED');
        return { done, seen: row ? `${row.status}: ${row.steps.join(' → ')}` : 'no such order yet' };
      },
      timeoutMs,
      `order ${orderId} to reach ${step}`,
    );
  }

  /** The e-mail the notification service sent for an order's state, if it arrived. */
  mailFor(orderId: string, status: string) {
    return this.platform.smtp.mails.find(
      (mail) =>
        mail.headers['x-saga-order-id'] === orderId &&
        mail.headers['x-saga-notification-kind'] === `ORDER_${status}`,
    );
  }

  /**
   * Resolves once the platform is quiet: no unpublished outbox row and no PENDING e-mail in any
   * database, every consumer group at the end of every partition it reads, and all of that unchanged
   * over two looks in a row (a record published by a service looked at early in one pass shows in the
   * next one).
   */
  async waitForDrain(timeoutMs = 60_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let previous = '';
    try {
      await waitSeeing(
        async () => {
          const { behind, positions } = await platformBacklog(admin, this.platform, (service, sql) =>
            this.query<{ count: string }>(service, sql),
          );
          const quiet = behind.length === 0 && positions === previous;
          previous = behind.length === 0 ? positions : '';
          return { done: quiet, seen: behind.join('; ') || 'quiet once, looking again' };
        },
        timeoutMs,
        'the platform to drain',
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Drains, then checks docs/design.md's invariants over the databases, the Kafka log and the SMTP record. */
  async audit(): Promise<AuditReport> {
    await this.waitForDrain();
    const databases = Object.fromEntries(SERVICE_NAMES.map((s) => [s, this.platform.databases[s].url]));
    const groupIds = Object.fromEntries(SERVICE_NAMES.map((s) => [s, this.platform.groupId(s)]));
    return auditSaga({
      databases: databases as Record<ServiceName, string>,
      groupIds: groupIds as Record<ServiceName, string>,
      kafka: this.kafka,
      topicPrefix: this.platform.topicPrefix,
      mails: this.platform.smtp.mails,
    });
  }

  /**
   * Runs SQL on a service's database (to arrange or inspect state), on a small pool per database
   * ({@link DatabasePools}).
   */
  query<Row>(service: PlatformServiceName, sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.databases.query<Row>(service, sql, params);
  }

  /**
   * What the order service has written and published: its orders, its outbox rows and the records on
   * `order.events`. All zero after bad input is what "refused and nothing changed" means.
   */
  async orderSideEffects(): Promise<{ orders: number; outboxRows: number; orderEvents: number }> {
    const count = async (sql: string) => Number((await this.query<{ count: string }>('order', sql))[0].count);
    return {
      orders: await count('SELECT count(*) FROM orders'),
      outboxRows: await count('SELECT count(*) FROM outbox'),
      orderEvents: await readToEnd(
        this.kafka,
        [`${this.platform.topicPrefix}${TOPICS.orderEvents.name}`],
        () => {},
      ),
    };
  }

  /** Produces raw records to one of the platform's topics (its logical name), e.g. to redeliver one. */
  async produce(
    topic: string,
    messages: {
      key: string | null;
      value: Buffer | string | null;
      headers: Record<string, Buffer | string>;
    }[],
  ) {
    if (!this.producer) {
      this.producer = idempotentProducer(this.kafka);
      await this.producer.connect();
    }
    await this.producer.send({ topic: `${this.platform.topicPrefix}${topic}`, acks: -1, messages });
  }

  /** Stops everything and removes the platform's databases and topics. */
  async destroy(): Promise<void> {
    await this.producer?.disconnect();
    await this.databases.end();
    await this.platform.destroy();
  }
}

/** {@link waitFor} for checks that describe what they saw: a timeout reports the last description. */
async function waitSeeing(
  check: () => Promise<{ done: boolean; seen: string }>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  let seen = 'nothing yet';
  try {
    await waitFor(
      async () => {
        const result = await check();
        seen = result.seen;
        return result.done || undefined;
      },
      { timeoutMs, intervalMs: 100, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  last seen: ${seen}`);
  }
}
