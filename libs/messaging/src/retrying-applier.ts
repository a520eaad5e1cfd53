import type { LoggerService } from '@nestjs/common';
import type { DecodedRecord } from './classify-record';
import type { DeadLetterReason } from './dead-letter';
import type { DeadLetterSender } from './dead-letter-sender';
import { isInfrastructureError } from './infrastructure-error';
import type { RecordApplier } from './record-applier';
import { retryDelay, type RetryPolicy } from './retry-policy';
import { NonRetriableError } from './saga-event-context';
import type { ConsumerObserver, ConsumerStats } from './saga-kafka.options';

/** The partition a record is consumed from, as its batch sees it. */
export interface ConsumedPartition {
  readonly topic: string;
  readonly partition: number;
  /** Tells the group this member is alive (a long retry must not cost it the partition). */
  heartbeat(): Promise<void>;
  /** Whether the partition was revoked or the consumer stops: the record is left to the next owner. */
  stopped(): boolean;
}

/** What follows a failed try: another one after a delay, or the dead-letter topic. */
export type AfterFailure = {
  /** The record's own failures so far, this one included; an unavailable database's are not counted. */
  readonly failures: number;
} & (
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead-letter'; readonly reason: DeadLetterReason }
);

/**
 * Decides what follows the failure of try number `attempt`, after `failures` failures of the record's
 * own before it. A `NonRetriableError` is dead-lettered at once; any other failure is retried with
 * exponential backoff until the record's own failures reach the policy's tries. An unavailable
 * database is not the record's fault: it is retried for as long as it lasts, and never dead-letters a
 * good record (later events of the same order would overtake it).
 */
export function afterFailure(
  error: Error,
  tries: { readonly attempt: number; readonly failures: number },
  policy: RetryPolicy,
): AfterFailure {
  const infrastructure = isInfrastructureError(error);
  const failures = infrastructure ? tries.failures : tries.failures + 1;
  if (error instanceof NonRetriableError) return { failures, action: 'dead-letter', reason: 'non-retriable' };
  if (failures >= policy.maxAttempts) return { failures, action: 'dead-letter', reason: 'retries-exhausted' };
  const delayMs = retryDelay(policy, infrastructure ? tries.attempt : failures);
  return { failures, action: 'retry', delayMs };
}

/** What {@link RetryingApplier} needs from its consumer. */
export interface RetryingApplierOptions {
  readonly applier: RecordApplier;
  readonly deadLetters: DeadLetterSender;
  readonly retry: RetryPolicy;
  readonly observer: ConsumerObserver;
  /** Counted into: `retries`. */
  readonly stats: ConsumerStats;
  readonly logger: LoggerService;
}

/** Applies one record alone, retrying its failures, and dead-letters it when it cannot be applied. */
export class RetryingApplier {
  constructor(private readonly options: RetryingApplierOptions) {}

  /**
   * Applies `record` in its own transaction until it commits or {@link afterFailure} sends it to the
   * dead-letter topic. Resolves true when the record is done with (applied, a duplicate, or
   * dead-lettered), false when it must be left for whoever consumes the partition next. `firstError` is
   * the failure of a try already made (in a run that rolled back): it counts as the first.
   */
  async apply(record: DecodedRecord, at: ConsumedPartition, firstError?: Error): Promise<boolean> {
    const { applier, deadLetters, retry, observer, stats, logger } = this.options;
    const { event, message } = record;
    const { topic, partition } = at;
    for (let attempt = 1, failures = 0; ; attempt += 1) {
      const error =
        attempt === 1 && firstError
          ? firstError
          : (await applier.apply([record], { topic, partition, attempt }))?.error;
      if (!error) return true;
      const next = afterFailure(error, { attempt, failures }, retry);
      failures = next.failures;
      if (next.action === 'dead-letter') {
        await deadLetters.send(message, { topic, partition, attempts: attempt, reason: next.reason, error });
        return true;
      }
      stats.retries += 1;
      observer.retried(event.type);
      logger.warn(`${event.type} ${event.id} failed (try ${attempt}): ${error.message}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, next.delayMs));
      if (at.stopped()) return false;
      await at.heartbeat();
    }
  }
}
