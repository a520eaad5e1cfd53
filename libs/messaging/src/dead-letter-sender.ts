import type { LoggerService } from '@nestjs/common';
import type { KafkaMessage, Producer } from 'kafkajs';
import { deadLetterRecord, type DeadLetterReason } from './dead-letter';
import { asError } from './infrastructure-error';
import type { ConsumerObserver, ConsumerStats } from './saga-kafka.options';

/** Why a record is dead-lettered, and where it was read. */
export interface RecordFailure {
  readonly topic: string;
  readonly partition: number;
  /** Tries made: 0 for a poison record, which is never tried. */
  readonly attempts: number;
  readonly reason: DeadLetterReason;
  readonly error: unknown;
}

/** What {@link DeadLetterSender} needs from its consumer. */
export interface DeadLetterSenderOptions {
  /** The consumer's connected producer. */
  readonly producer: Producer;
  /** Where the dead letters go, e.g. `order.dlq`. */
  readonly deadLetterTopic: string;
  /** The consumer group, named in every dead letter: a replay is addressed to it. */
  readonly groupId: string;
  readonly observer: ConsumerObserver;
  /** Counted into: `deadLettered`. */
  readonly stats: ConsumerStats;
  readonly logger: LoggerService;
}

/** Sends the records a consumer cannot apply to its dead-letter topic. */
export class DeadLetterSender {
  constructor(private readonly options: DeadLetterSenderOptions) {}

  /**
   * Sends `message` to the dead-letter topic (acks=-1): its original key, value and headers, and `dlq_*`
   * headers saying why. Resolves once the broker has it; call it before the record's offset is resolved,
   * so that if this send fails, the record is consumed again rather than lost.
   */
  async send(message: KafkaMessage, failure: RecordFailure): Promise<void> {
    const { producer, deadLetterTopic, groupId } = this.options;
    const error = asError(failure.error).message;
    const { topic, partition, attempts, reason } = failure;
    const info = {
      reason,
      error,
      topic,
      partition,
      attempts,
      offset: message.offset,
      consumerGroup: groupId,
    };
    await producer.send({ topic: deadLetterTopic, acks: -1, messages: [deadLetterRecord(message, info)] });
    this.options.stats.deadLettered += 1;
    this.options.observer.deadLettered(topic, reason);
    this.options.logger.error(
      `dead-lettered ${topic}/${partition}@${message.offset} to ${deadLetterTopic}: ${reason}: ${error}`,
    );
  }
}
