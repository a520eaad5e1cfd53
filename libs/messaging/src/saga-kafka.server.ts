import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { Logger } from '@nestjs/common';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Consumer, Producer } from 'kafkajs';
import { idempotentProducer } from '@saga/common';
import {
  eventDefinition,
  readAsType,
  topicsConsumedBy,
  typesConsumedBy,
  type PlatformServiceName,
} from '@saga/contracts';
import { BatchConsumer } from './batch-consumer';
import { classifyRecord } from './classify-record';
import { ConsumerLag } from './consumer-lag';
import { DeadLetterSender } from './dead-letter-sender';
import { startInboxHousekeeping } from './inbox-housekeeping';
import { RecordApplier } from './record-applier';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { RetryingApplier } from './retrying-applier';
import type {
  ConsumerObserver,
  ConsumerStats,
  PartitionLag,
  SagaKafkaServerOptions,
} from './saga-kafka.options';

/** The observer of a consumer nobody observes. */
const UNOBSERVED: ConsumerObserver = {
  handled: () => undefined,
  retried: () => undefined,
  duplicate: () => undefined,
  deadLettered: () => undefined,
};

/**
 * A Nest transport strategy for the saga's Kafka consumers, replacing the stock `ServerKafka`, which
 * commits a record's offset even when its handler fails (the record is lost) and has no dead-letter
 * path. Here, for every record, in partition order:
 *
 * 1. decode and validate it (CloudEvents binary mode, schema, upcasting) — a poison record goes to the
 *    dead-letter topic at once, with its original bytes and the reason;
 * 2. find the `@OnEvent` handler by `ce_type` — a known type this service does not handle is skipped;
 * 3. in one database transaction, record it in the inbox (a duplicate stops here) and run the handler;
 *    under load, a run of up to 20 such records of one partition shares one transaction (one inbox
 *    statement, one commit); if any of them fails, the run rolls back and its records go one by one;
 * 4. on failure retry with backoff, a bounded number of times, then dead-letter it — but retry an
 *    unavailable database for as long as it lasts (the record is not at fault);
 * 5. only then resolve its offset, so the offset is committed after the database commit.
 *
 * One bad record never stops its partition and never vanishes. `close()` lets the batch in flight
 * finish its current record, commits, and leaves the group.
 *
 * This class is the transport's shell (Nest's side, the kafkajs consumer's life, health and lag); the
 * record path is in named parts, each readable alone: {@link BatchConsumer} walks a batch, asking
 * `classifyRecord` what each record is; a {@link RecordApplier} applies a run in one transaction; a
 * {@link RetryingApplier} retries one record alone; a {@link DeadLetterSender} dead-letters it.
 *
 * Each record's work is traced as a consumer span, the child of the span that published it (its
 * `traceparent` header); the handler sees that span's `traceparent` on the event, so the events it
 * causes continue the saga's trace through the outbox.
 */
export class SagaKafkaServer extends Server implements CustomTransportStrategy {
  readonly stats: ConsumerStats = { applied: 0, duplicates: 0, skipped: 0, retries: 0, deadLettered: 0 };
  /** Set when the consumer crashed and kafkajs will not restart it: the service consumes nothing more. */
  private stoppedBy?: string;
  protected override readonly logger = new Logger(SagaKafkaServer.name);
  private consumer?: Consumer;
  private producer?: Producer;
  private readonly consumerLag: ConsumerLag;
  private closed = false;
  private stopHousekeeping?: () => void;
  private readonly retry: RetryPolicy;
  private readonly tracer: Tracer;
  private readonly observer: ConsumerObserver;

  constructor(private readonly options: SagaKafkaServerOptions) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.tracer = options.tracer ?? trace.getTracer('@saga/messaging');
    this.observer = options.observer ?? UNOBSERVED;
    this.consumerLag = new ConsumerLag(options.kafka, options.groupId);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopHousekeeping?.();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.consumerLag.close();
  }

  /**
   * Each subscribed partition's lag: its end offset minus the group's committed offset (the whole
   * partition when the group has committed nothing yet). Asks the broker, so a stalled consumer's lag grows.
   */
  async lag(): Promise<PartitionLag[]> {
    const topics = this.subscribedTopics();
    if (this.closed) return []; // a scrape after close() opens no new client
    return this.consumerLag.measure(topics);
  }

  on(): void {
    throw new Error('SagaKafkaServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** Whether the consumer still consumes (false once it crashed for good), with the reason. */
  health(): { consuming: boolean; reason?: string; stats: ConsumerStats } {
    return { consuming: this.stoppedBy === undefined, reason: this.stoppedBy, stats: this.stats };
  }

  /** The event types this consumer has handlers for. */
  handledTypes(): string[] {
    return [...this.getHandlers().keys()];
  }

  /** The topics to consume: the service's in the choreography table, else those of the handlers' types. */
  subscribedTopics(): string[] {
    const { topics: given, service, topicPrefix } = this.options;
    if (given) return [...given];
    if (service) return topicsConsumedBy(service, topicPrefix);
    const topics = [...this.getHandlers().keys()].map((type) => {
      const definition = eventDefinition(type);
      if (!definition) throw new Error(`@OnEvent handler for ${type}: no contract declares this type`);
      return `${this.options.topicPrefix ?? ''}${definition.topic.name}`;
    });
    return [...new Set(topics)];
  }

  private async start(): Promise<void> {
    for (const type of this.getHandlers().keys()) {
      if (readAsType(type) !== type) {
        throw new Error(
          `@OnEvent handler for ${type}: records of it are read as ${readAsType(type)}; handle that`,
        );
      }
    }
    if (this.options.service) this.checkChoreography(this.options.service);
    const topics = this.subscribedTopics();
    this.producer = idempotentProducer(this.options.kafka);
    await this.producer.connect();
    if (topics.length === 0) {
      this.logger.log('no @OnEvent handlers: consuming nothing');
      return;
    }
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    this.consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 3),
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    const batches = this.batchConsumer(this.producer);
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => batches.consume(payload),
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.logger.error(`consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
      if (!payload.restart) this.stoppedBy = payload.error.message;
    });
    const { dataSource, inboxRetentionMs } = this.options;
    this.stopHousekeeping = startInboxHousekeeping(dataSource, this.logger, inboxRetentionMs);
    this.logger.log(`consuming ${topics.join(', ')} as ${this.options.groupId}`);
  }

  /**
   * Refuses a handler for an event the choreography table does not list for `service` (its records
   * would be read by a service the table, the audit and the docs say does not consume them), and warns
   * of a listed event without a handler (its records will be skipped; a test's cut-down service does
   * that on purpose, and `choreography-drift.spec.ts` fails for an app that does).
   */
  private checkChoreography(service: PlatformServiceName): void {
    const listed = typesConsumedBy(service);
    const handled = this.handledTypes();
    const unlisted = handled.filter((type) => !listed.includes(type));
    const unhandled = listed.filter((type) => !handled.includes(type));
    if (unlisted.length > 0) {
      throw new Error(
        `${service} has @OnEvent handlers for ${unlisted.join(', ')}, which CHOREOGRAPHY in ` +
          `@saga/contracts does not list for it: add them there, or remove the handlers`,
      );
    }
    if (unhandled.length > 0) {
      this.logger.warn(
        `${service} has no @OnEvent handler for ${unhandled.join(', ')}, which CHOREOGRAPHY lists for it: ` +
          'those records will be skipped',
      );
    }
  }

  /** The record path's parts, wired to this server's handlers, settings, stats and log. */
  private batchConsumer(producer: Producer): BatchConsumer {
    const { groupId, deadLetterTopic, dataSource, unsafeSkipInbox } = this.options;
    const { stats, logger, retry, tracer, observer } = this;
    const handlerFor = (type: string) => this.getHandlerByPattern(type) ?? undefined;
    const toObservable = (result: unknown) => this.transformToObservable(result);
    const deadLetters = new DeadLetterSender({ producer, deadLetterTopic, groupId, observer, stats, logger });
    const applier = new RecordApplier({
      dataSource,
      groupId,
      unsafeSkipInbox,
      tracer,
      observer,
      stats,
      toObservable,
    });
    const retrying = new RetryingApplier({ applier, deadLetters, retry, observer, stats, logger });
    return new BatchConsumer({
      classify: (topic, message) => classifyRecord(topic, message, { groupId, handlerFor }),
      applier,
      retrying,
      deadLetters,
      stats,
    });
  }
}
