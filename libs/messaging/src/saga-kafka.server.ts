import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { Logger } from '@nestjs/common';
import { ROOT_CONTEXT, context, trace, type Tracer } from '@opentelemetry/api';
import { type Admin, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { idempotentProducer, traceparentOf } from '@saga/common';
import {
  PoisonRecordError,
  eventDefinition,
  fromKafkaRecord,
  readAsType,
  recordHeader,
  type EventEnvelope,
} from '@saga/contracts';
import { deleteExpiredInbox, recordAllInInbox } from '@saga/inbox';
import { deadLetterRecord, isReplayForAnotherGroup, type DeadLetterReason } from './dead-letter';
import { asError, isInfrastructureError } from './infrastructure-error';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry-policy';
import { NonRetriableError, type SagaEventContext } from './saga-event-context';
import { endRecordSpan, recordContext, startRecordSpan } from './record-span';
import type {
  ConsumerObserver,
  ConsumerStats,
  PartitionLag,
  SagaKafkaServerOptions,
} from './saga-kafka.options';

/** The most records applied in one transaction: bounds how long a run holds its row locks. */
const MAX_RUN = 20;

type Handler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** A record decoded, with the handler of its type. */
interface DecodedRecord {
  readonly message: KafkaMessage;
  readonly event: EventEnvelope;
  readonly handler: Handler;
}

/** The observer of a consumer nobody observes. */
const UNOBSERVED: ConsumerObserver = {
  handled: () => undefined,
  retried: () => undefined,
  duplicate: () => undefined,
  deadLettered: () => undefined,
};

/** Which record of a run failed, and with what. */
interface RunFailure {
  readonly index: number;
  readonly error: Error;
}

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
  private admin?: Promise<Admin>;
  private closed = false;
  private housekeeping?: NodeJS.Timeout;
  private readonly retry: RetryPolicy;
  private readonly tracer: Tracer;
  private readonly observer: ConsumerObserver;

  constructor(private readonly options: SagaKafkaServerOptions) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.tracer = options.tracer ?? trace.getTracer('@saga/messaging');
    this.observer = options.observer ?? UNOBSERVED;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.housekeeping);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  /**
   * Each subscribed partition's lag: its end offset minus the group's committed offset (the whole
   * partition when the group has committed nothing yet). Asks the broker, so a stalled consumer's lag grows.
   */
  async lag(): Promise<PartitionLag[]> {
    const topics = this.subscribedTopics();
    if (topics.length === 0 || this.closed) return []; // a scrape after close() opens no new client
    this.admin ??= (async () => {
      const admin = this.options.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin.catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId: this.options.groupId, topics }),
      Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) }))),
    ]);
    return ends.flatMap(({ topic, offsets }) =>
      offsets.map(({ partition, high, low }) => {
        const offset = committed
          .find((entry) => entry.topic === topic)
          ?.partitions.find((entry) => entry.partition === partition)?.offset;
        const from = offset === undefined || Number(offset) < 0 ? Number(low) : Number(offset);
        return { topic, partition, lag: Math.max(0, Number(high) - from) };
      }),
    );
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

  /** The topics the handlers need: those of their event types. */
  subscribedTopics(): string[] {
    if (this.options.topics) return [...this.options.topics];
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
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.logger.error(`consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
      if (!payload.restart) this.stoppedBy = payload.error.message;
    });
    this.housekeeping = setInterval(() => void this.cleanInbox(), 5 * 60_000).unref();
    this.logger.log(`consuming ${topics.join(', ')} as ${this.options.groupId}`);
  }

  private async eachBatch(payload: EachBatchPayload) {
    const { batch } = payload;
    const { topic, partition } = batch;
    const stopped = () => !payload.isRunning() || payload.isStale();
    const heartbeat = () => payload.heartbeat();
    for (let next = 0; next < batch.messages.length && !stopped();) {
      // A run of records that decode and have handlers is applied in one transaction (fewer round trips
      // and commits under load). A lone record, or a failed run's records up to the failing one (whose
      // try in the run counts as its first), go one by one, with retries; the rest form the next run.
      const run = this.decodedRun(topic, batch.messages, next);
      const failure =
        run.length > 1 ? await this.applyTogether(run, { topic, partition, attempt: 1 }) : undefined;
      const oneByOne = run.length > 1 ? (failure ? failure.index + 1 : 0) : 1;
      if (oneByOne === 0) for (const { message } of run) payload.resolveOffset(message.offset);
      for (let i = 0; i < oneByOne; i += 1) {
        const prior = { decoded: run[i], error: i === failure?.index ? failure.error : undefined };
        if (!(await this.process(topic, partition, batch.messages[next + i], heartbeat, stopped, prior))) {
          return; // the partition was revoked or the consumer stops: the next owner takes it
        }
        payload.resolveOffset(batch.messages[next + i].offset);
      }
      next += oneByOne || run.length;
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  /**
   * The records from `start` on that decode and have a handler here, up to {@link MAX_RUN}: what
   * {@link applyTogether} can apply together. Empty when the next record needs the one-by-one path to be
   * skipped or dead-lettered.
   */
  private decodedRun(topic: string, messages: readonly KafkaMessage[], start: number): DecodedRecord[] {
    const run: DecodedRecord[] = [];
    for (let i = start; i < messages.length && run.length < MAX_RUN; i += 1) {
      const message = messages[i];
      const rawType = recordHeader(message, 'ce_type');
      if (!rawType || isReplayForAnotherGroup(message, this.options.groupId)) break;
      const handler = this.getHandlerByPattern(readAsType(rawType));
      if (!handler) break;
      try {
        run.push({ message, event: fromKafkaRecord(topic, message), handler });
      } catch {
        break; // a poison record: dead-lettered on the one-by-one path
      }
    }
    return run;
  }

  /**
   * Applies one record, retrying failures; dead-letters it when it cannot be applied. Resolves true when
   * the record is done with (applied, duplicate, skipped or dead-lettered), false when it must be left
   * for whoever consumes the partition next. `prior` is what a run already did with it: decoded it, and
   * (`error`) made its first try.
   */
  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    stopped: () => boolean,
    prior: { decoded?: DecodedRecord; error?: Error } = {},
  ): Promise<boolean> {
    const record = prior.decoded ?? (await this.decodeOrSetAside(topic, partition, message));
    if (!record) return true;
    // Its log lines carry its order and the saga's trace.
    return context.with(recordContext(record.event), () =>
      this.applyWithRetries(record, topic, partition, heartbeat, stopped, prior.error),
    );
  }

  private async applyWithRetries(
    record: DecodedRecord,
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
    stopped: () => boolean,
    priorError: Error | undefined,
  ): Promise<boolean> {
    const { event, message } = record;
    for (let attempt = 1, failures = 0; ; attempt += 1) {
      const error =
        attempt === 1 && priorError
          ? priorError
          : (await this.applyTogether([record], { topic, partition, attempt }))?.error;
      if (!error) return true;
      // An unavailable database is not this record's fault: retry as long as it lasts.
      const infrastructure = isInfrastructureError(error);
      if (!infrastructure) failures += 1;
      const reason: DeadLetterReason | undefined =
        error instanceof NonRetriableError
          ? 'non-retriable'
          : failures >= this.retry.maxAttempts
            ? 'retries-exhausted'
            : undefined;
      if (reason) {
        await this.deadLetter(message, { topic, partition, attempts: attempt, reason, error });
        return true;
      }
      this.stats.retries += 1;
      this.observer.retried(event.type);
      this.logger.warn(`${event.type} ${event.id} failed (try ${attempt}): ${error.message}; retrying`);
      await new Promise((resolve) =>
        setTimeout(resolve, retryDelay(this.retry, infrastructure ? attempt : failures)),
      );
      if (stopped()) return false;
      await heartbeat();
    }
  }

  /**
   * The record decoded with its handler, or undefined when it is set aside: skipped (a valid type that
   * others on this topic handle, or another group's replay) or dead-lettered (poison).
   */
  private async decodeOrSetAside(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<DecodedRecord | undefined> {
    // As the decoder reads it (a repeated header's first value), or a record of a type this service does
    // not handle, sent with ce_type twice, would be decoded, find no handler, and be retried to the DLQ.
    const rawType = recordHeader(message, 'ce_type');
    const notOurs = rawType && eventDefinition(rawType) && !this.getHandlerByPattern(readAsType(rawType));
    if (notOurs || isReplayForAnotherGroup(message, this.options.groupId)) {
      this.stats.skipped += 1;
      return undefined;
    }
    try {
      const event = fromKafkaRecord(topic, message);
      return { message, event, handler: this.getHandlerByPattern(event.type)! };
    } catch (error) {
      const reason = error instanceof PoisonRecordError ? error.reason : 'undecodable';
      await this.deadLetter(message, { topic, partition, attempts: 0, reason, error });
      return undefined;
    }
  }

  /**
   * Applies records in one transaction: one inbox statement for all of them (a duplicate stops there),
   * then each new event's handler in partition order, writing through the context's manager — everything
   * commits together, or nothing. Resolves undefined once committed; else which record failed, and why.
   */
  private async applyTogether(
    records: readonly DecodedRecord[],
    where: Pick<SagaEventContext, 'topic' | 'partition' | 'attempt'>,
  ): Promise<RunFailure | undefined> {
    let index = 0;
    const spans = records.map(({ event, message }) =>
      startRecordSpan(this.tracer, event, {
        ...where,
        offset: message.offset,
        groupId: this.options.groupId,
      }),
    );
    // A lone record's whole transaction (inbox statement, handler, commit) is part of its trace; a run
    // serves several traces at once, so only each handler's work goes into its record's trace.
    const runContext = records.length === 1 ? spans[0].context : ROOT_CONTEXT;
    const handled: { type: string; seconds: number }[] = [];
    const duplicates: string[] = [];
    try {
      const applied = await context.with(runContext, () =>
        this.options.dataSource.transaction(async (manager) => {
          const fresh = this.options.unsafeSkipInbox
            ? undefined
            : await recordAllInInbox(
                manager,
                this.options.groupId,
                records.map((record) => record.event),
              );
          let count = 0;
          for (index = 0; index < records.length; index += 1) {
            const { event, handler, message } = records[index];
            if (fresh && !fresh.delete(event.id)) {
              duplicates.push(event.type); // applied before, or earlier in this run
              spans[index].span.setAttribute('saga.duplicate', true);
              continue;
            }
            const eventContext: SagaEventContext = { manager, ...where, offset: message.offset };
            // The events the handler causes (createEvent's causedBy) continue from this record's span.
            const traced = {
              ...event,
              traceparent: traceparentOf(spans[index].context) ?? event.traceparent,
            };
            const started = performance.now();
            try {
              await context.with(spans[index].context, async (): Promise<void> => {
                await lastValueFrom(this.transformToObservable(await handler(traced, eventContext)), {
                  defaultValue: undefined,
                });
              });
            } finally {
              handled.push({ type: event.type, seconds: (performance.now() - started) / 1000 });
            }
            count += 1;
          }
          return count;
        }),
      );
      this.stats.applied += applied;
      this.stats.duplicates += records.length - applied;
      for (const { type, seconds } of handled) this.observer.handled(type, seconds, 'applied');
      for (const type of duplicates) this.observer.duplicate(type);
      for (const { span } of spans) endRecordSpan(span);
      return undefined;
    } catch (thrown) {
      // `index` is the record whose handler threw; when the inbox statement or the commit failed, it is the
      // first or the last one. Either way an unavailable database is retried without limit (one by one).
      const failure = { index: Math.min(index, records.length - 1), error: asError(thrown) };
      for (const { type, seconds } of handled) this.observer.handled(type, seconds, 'failed');
      spans.forEach(({ span }, i) =>
        endRecordSpan(span, i === failure.index ? failure.error : new Error('rolled back with its run')),
      );
      return failure;
    }
  }

  private async deadLetter(
    message: KafkaMessage,
    failure: { topic: string; partition: number; attempts: number; reason: DeadLetterReason; error: unknown },
  ): Promise<void> {
    const error = asError(failure.error).message;
    const { topic, partition, attempts, reason } = failure;
    const info = {
      reason,
      error,
      topic,
      partition,
      attempts,
      offset: message.offset,
      consumerGroup: this.options.groupId,
    };
    // Sent before the offset is resolved: if this send fails, the record is consumed again, not lost.
    await this.producer!.send({
      topic: this.options.deadLetterTopic,
      acks: -1,
      messages: [deadLetterRecord(message, info)],
    });
    this.stats.deadLettered += 1;
    this.observer.deadLettered(topic, reason);
    this.logger.error(
      `dead-lettered ${topic}/${partition}@${message.offset} to ${this.options.deadLetterTopic}: ${reason}: ${error}`,
    );
  }

  private async cleanInbox(): Promise<void> {
    const { master } = this.options.dataSource.driver as unknown as {
      master: Parameters<typeof deleteExpiredInbox>[0];
    };
    await deleteExpiredInbox(master, { retentionMs: this.options.inboxRetentionMs ?? 7 * 86400_000 }).catch(
      (error: Error) => this.logger.warn(`inbox cleanup failed: ${error.message}`),
    );
  }
}
