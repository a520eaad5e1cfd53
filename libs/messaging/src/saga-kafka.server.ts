import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { Logger } from '@nestjs/common';
import { type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { idempotentProducer } from '@saga/common';
import {
  PoisonRecordError,
  eventDefinition,
  fromKafkaRecord,
  readAsType,
  recordHeader,
  type EventEnvelope,
} from '@saga/contracts';
import { deleteExpiredInbox, recordAllInInbox, recordInInbox } from '@saga/inbox';
import { deadLetterRecord, isReplayForAnotherGroup, type DeadLetterReason } from './dead-letter';
import { asError, isInfrastructureError } from './infrastructure-error';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry-policy';
import { NonRetriableError, type SagaEventContext } from './saga-event-context';
import type { ConsumerStats, SagaKafkaServerOptions } from './saga-kafka.options';

/** The most records applied in one transaction: bounds how long a run holds its row locks. */
const MAX_RUN = 20;

type Handler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** A record ready for a handler: what {@link SagaKafkaServer.applyRun} takes. */
interface DecodedRecord {
  readonly message: KafkaMessage;
  readonly event: EventEnvelope;
  readonly handler: Handler;
}

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
 */
export class SagaKafkaServer extends Server implements CustomTransportStrategy {
  readonly stats: ConsumerStats = { applied: 0, duplicates: 0, skipped: 0, retries: 0, deadLettered: 0 };
  /** Set when the consumer crashed and kafkajs will not restart it: the service consumes nothing more. */
  private stoppedBy?: string;
  protected override readonly logger = new Logger(SagaKafkaServer.name);
  private consumer?: Consumer;
  private producer?: Producer;
  private housekeeping?: NodeJS.Timeout;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: SagaKafkaServerOptions) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.housekeeping);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
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
    const stopped = () => !payload.isRunning() || payload.isStale();
    const done = async (message: KafkaMessage) => {
      payload.resolveOffset(message.offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    };
    for (let next = 0; next < batch.messages.length && !stopped();) {
      // A run of records that decode and have handlers is applied in one transaction (fewer round trips
      // and commits under load); if that fails, its records go one by one below, with retries.
      const run = this.decodedRun(batch.topic, batch.messages, next);
      let failure: RunFailure | undefined;
      if (run.length > 1) {
        failure = await this.applyRun(run, batch.topic, batch.partition);
        if (!failure) {
          for (const { message } of run) payload.resolveOffset(message.offset);
          await done(run[run.length - 1].message);
          next += run.length;
          continue;
        }
      }
      const count = failure ? failure.index + 1 : 1;
      for (let i = 0; i < count; i += 1) {
        const message = batch.messages[next];
        const firstError = failure && i === failure.index ? failure.error : undefined;
        const heartbeat = () => payload.heartbeat();
        if (!(await this.process(batch.topic, batch.partition, message, heartbeat, stopped, firstError))) {
          return; // the partition was revoked or the consumer stops: the next owner takes it
        }
        await done(message);
        next += 1;
      }
    }
  }

  /**
   * The records from `start` on that decode and have a handler here, up to {@link MAX_RUN}: what
   * {@link applyRun} can apply together. Empty or one long when the next record needs the one-by-one path.
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
   * Applies a run of records in one transaction: one inbox statement for all of them, then each new
   * event's handler in partition order. Resolves undefined once committed, or, when a handler failed
   * (everything rolled back), which record failed and why.
   */
  private async applyRun(
    run: DecodedRecord[],
    topic: string,
    partition: number,
  ): Promise<RunFailure | undefined> {
    let index = 0;
    try {
      const counts = await this.options.dataSource.transaction(async (manager) => {
        const events = run.map((record) => record.event);
        const fresh = this.options.unsafeSkipInbox
          ? undefined
          : await recordAllInInbox(manager, this.options.groupId, events);
        let applied = 0;
        for (index = 0; index < run.length; index += 1) {
          const { event, handler, message } = run[index];
          if (fresh && !fresh.delete(event.id)) continue; // applied before, or earlier in this run
          const context: SagaEventContext = { manager, topic, partition, offset: message.offset, attempt: 1 };
          await lastValueFrom(this.transformToObservable(await handler(event, context)), {
            defaultValue: undefined,
          });
          applied += 1;
        }
        return { applied, duplicates: run.length - applied };
      });
      this.stats.applied += counts.applied;
      this.stats.duplicates += counts.duplicates;
      return undefined;
    } catch (thrown) {
      // `index` is the record whose handler threw; when the inbox statement or the commit failed, it is the
      // first or the last one. Either way an unavailable database is retried without limit (one by one).
      return { index: Math.min(index, run.length - 1), error: asError(thrown) };
    }
  }

  /**
   * Applies one record, retrying failures; dead-letters it when it cannot be applied. Resolves true when
   * the record is done with (applied, duplicate, skipped or dead-lettered), false when it must be left
   * for whoever consumes the partition next.
   */
  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    stopped: () => boolean,
    firstError?: Error,
  ): Promise<boolean> {
    // As the decoder reads it (a repeated header's first value), or a record of a type this service does
    // not handle, sent with ce_type twice, would be decoded, find no handler, and be retried to the DLQ.
    const rawType = recordHeader(message, 'ce_type');
    const notOurs = rawType && eventDefinition(rawType) && !this.getHandlerByPattern(readAsType(rawType));
    if (notOurs || isReplayForAnotherGroup(message, this.options.groupId)) {
      this.stats.skipped += 1; // a valid type for others on this topic, or another group's replay
      return true;
    }
    let event: EventEnvelope;
    try {
      event = fromKafkaRecord(topic, message);
    } catch (error) {
      const reason = error instanceof PoisonRecordError ? error.reason : 'undecodable';
      await this.deadLetter(message, { topic, partition, attempts: 0, reason, error });
      return true;
    }
    const handler = this.getHandlerByPattern(event.type)!;
    for (let attempt = 1, failures = 0; ; attempt += 1) {
      try {
        // The first try may have been made already, as part of a run (see applyRun).
        if (attempt === 1 && firstError) throw firstError;
        await this.apply(handler, event, { topic, partition, offset: message.offset, attempt });
        return true;
      } catch (thrown) {
        const error = asError(thrown);
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
        this.logger.warn(`${event.type} ${event.id} failed (try ${attempt}): ${error.message}; retrying`);
        await new Promise((resolve) =>
          setTimeout(resolve, retryDelay(this.retry, infrastructure ? attempt : failures)),
        );
        if (stopped()) return false;
        await heartbeat();
      }
    }
  }

  /** The inbox entry and the handler, in one transaction: all of its writes commit together, or none. */
  private async apply(
    handler: Handler,
    event: EventEnvelope,
    where: Omit<SagaEventContext, 'manager'>,
  ): Promise<void> {
    const applied = await this.options.dataSource.transaction(async (manager) => {
      const first =
        this.options.unsafeSkipInbox || (await recordInInbox(manager, this.options.groupId, event));
      if (!first) return false;
      const context: SagaEventContext = { manager, ...where };
      await lastValueFrom(this.transformToObservable(await handler(event, context)), {
        defaultValue: undefined,
      });
      return true;
    });
    this.stats[applied ? 'applied' : 'duplicates'] += 1;
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
