import { context } from '@opentelemetry/api';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DecodedRecord, RecordClassification } from './classify-record';
import type { DeadLetterSender } from './dead-letter-sender';
import type { RecordApplier } from './record-applier';
import { recordContext } from './record-span';
import type { ConsumedPartition, RetryingApplier } from './retrying-applier';
import type { ConsumerStats } from './saga-kafka.options';

/** The most records applied in one transaction: bounds how long a run holds its row locks. */
export const MAX_RUN = 20;

/** What the consumer does next from a place in a batch. */
export type NextStep =
  /** Two or more records ready to apply, in partition order: one transaction for all of them. */
  | { readonly together: readonly DecodedRecord[] }
  /** The next record on its own: to skip, to dead-letter, or to apply with retries. */
  | { readonly alone: RecordClassification };

/**
 * The next step from `messages[from]` on: the records that are ready to apply from there, up to
 * {@link MAX_RUN}, together when there are two or more; else the record at `from` alone. Classifies
 * only as far as the run goes.
 */
export function nextStep(
  messages: readonly KafkaMessage[],
  from: number,
  classify: (message: KafkaMessage) => RecordClassification,
): NextStep {
  const first = classify(messages[from]);
  if (first.action !== 'apply') return { alone: first };
  const run = [first.record];
  for (let i = from + 1; i < messages.length && run.length < MAX_RUN; i += 1) {
    const next = classify(messages[i]);
    if (next.action !== 'apply') break;
    run.push(next.record);
  }
  return run.length > 1 ? { together: run } : { alone: first };
}

/** The parts a {@link BatchConsumer} hands each record to. */
export interface BatchConsumerOptions {
  /** What to do with a record of `topic` (see `classifyRecord`). */
  classify(topic: string, message: KafkaMessage): RecordClassification;
  /** Applies a run of records in one transaction. */
  readonly applier: RecordApplier;
  /** Applies one record alone, with retries, then dead-letters it. */
  readonly retrying: RetryingApplier;
  /** Sends poison records to the dead-letter topic. */
  readonly deadLetters: DeadLetterSender;
  /** Counted into: `skipped`. */
  readonly stats: ConsumerStats;
}

/** Records done with in one step, or `stopped`: the partition was revoked or the consumer stops. */
type StepOutcome = number | 'stopped';

/**
 * Consumes kafkajs batches, one partition each, in partition order. A run of records that are ready to
 * apply goes in one transaction (fewer round trips and commits under load); a lone record goes alone,
 * with retries. Each record's offset is resolved once it is done with (applied, a duplicate, skipped or
 * dead-lettered), hence after its database commit, and committed after each step.
 */
export class BatchConsumer {
  constructor(private readonly options: BatchConsumerOptions) {}

  async consume(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const at: ConsumedPartition = {
      topic,
      partition,
      heartbeat: () => payload.heartbeat(),
      stopped: () => !payload.isRunning() || payload.isStale(),
    };
    const done = (message: KafkaMessage) => payload.resolveOffset(message.offset);
    for (let next = 0; next < messages.length && !at.stopped();) {
      const step = nextStep(messages, next, (message) => this.options.classify(topic, message));
      const outcome =
        'together' in step
          ? await this.applyTogether(step.together, at, done)
          : await this.settleAlone(step.alone, at, done);
      if (outcome === 'stopped') return; // the next owner of the partition takes it from here
      next += outcome;
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  /**
   * Applies a run in one transaction. Once it committed, all its records are done. If it rolled back, its
   * records up to the failing one go alone, the failing one's try in the run counting as its first; the
   * records after it are met again by the next step.
   */
  private async applyTogether(
    run: readonly DecodedRecord[],
    at: ConsumedPartition,
    done: (message: KafkaMessage) => void,
  ): Promise<StepOutcome> {
    const failure = await this.options.applier.apply(run, {
      topic: at.topic,
      partition: at.partition,
      attempt: 1,
    });
    if (!failure) {
      for (const { message } of run) done(message);
      return run.length;
    }
    for (const [index, record] of run.slice(0, failure.index + 1).entries()) {
      const firstError = index === failure.index ? failure.error : undefined;
      const outcome = await this.settleAlone(
        { action: 'apply', message: record.message, record },
        at,
        done,
        firstError,
      );
      if (outcome === 'stopped') return outcome;
    }
    return failure.index + 1;
  }

  /**
   * Settles one record: skips it, dead-letters it as poison, or applies it with retries, in its own
   * context so its log lines carry its order and the saga's trace. Its offset is resolved once it is done.
   */
  private async settleAlone(
    classified: RecordClassification,
    at: ConsumedPartition,
    done: (message: KafkaMessage) => void,
    firstError?: Error,
  ): Promise<StepOutcome> {
    const { retrying, deadLetters, stats } = this.options;
    if (classified.action === 'skip') {
      stats.skipped += 1;
    } else if (classified.action === 'dead-letter') {
      const { reason, error } = classified;
      await deadLetters.send(classified.message, {
        topic: at.topic,
        partition: at.partition,
        attempts: 0,
        reason,
        error,
      });
    } else {
      const { record } = classified;
      const settled = await context.with(recordContext(record.event), () =>
        retrying.apply(record, at, firstError),
      );
      if (!settled) return 'stopped';
    }
    done(classified.message);
    return 1;
  }
}
