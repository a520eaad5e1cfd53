import type { Server } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import {
  PoisonRecordError,
  eventDefinition,
  fromKafkaRecord,
  readAsType,
  recordHeader,
  type EventEnvelope,
} from '@saga/contracts';
import { isReplayForAnotherGroup, type DeadLetterReason } from './dead-letter';

/** A Nest message handler, as the transport finds it by pattern (`ce_type`). */
export type RecordHandler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** A record decoded, with the handler of its type: ready to apply. */
export interface DecodedRecord {
  readonly message: KafkaMessage;
  readonly event: EventEnvelope;
  readonly handler: RecordHandler;
}

/** What the consumer does with one record; every path through the consumer asks {@link classifyRecord}. */
export type RecordClassification =
  /** A valid event this consumer handles: apply it (in a run, or alone with retries). */
  | { readonly action: 'apply'; readonly message: KafkaMessage; readonly record: DecodedRecord }
  /** Not for this consumer: a valid type that others on the topic handle, or another group's replay. */
  | { readonly action: 'skip'; readonly message: KafkaMessage }
  /** Poison: not a valid event of a known type. It goes to the dead-letter topic at once. */
  | {
      readonly action: 'dead-letter';
      readonly message: KafkaMessage;
      readonly reason: DeadLetterReason;
      readonly error: unknown;
    };

/** What classification needs to know about the consumer. */
export interface ClassifyingConsumer {
  /** The consumer group: a replay addressed to another group is skipped. */
  readonly groupId: string;
  /** The handler of an event type, if this consumer has one. */
  handlerFor(type: string): RecordHandler | undefined;
}

/**
 * Decides what to do with one record of `topic`, without doing it (no side effect): skip it, dead-letter
 * it as poison, or apply it, decoded and validated (CloudEvents binary mode, schema, upcasting), with
 * the handler of the type it is read as.
 *
 * A record of a known type that this consumer has no handler for is skipped before it is decoded: its
 * type is read as the decoder reads it (a repeated header's first value), so a record sent with
 * `ce_type` twice is skipped too, where decoding it would find no handler and retry it to the DLQ.
 */
export function classifyRecord(
  topic: string,
  message: KafkaMessage,
  consumer: ClassifyingConsumer,
): RecordClassification {
  const rawType = recordHeader(message, 'ce_type');
  const notOurs = rawType && eventDefinition(rawType) && !consumer.handlerFor(readAsType(rawType));
  if (notOurs || isReplayForAnotherGroup(message, consumer.groupId)) return { action: 'skip', message };
  let event: EventEnvelope;
  try {
    event = fromKafkaRecord(topic, message);
  } catch (error) {
    const reason = error instanceof PoisonRecordError ? error.reason : 'undecodable';
    return { action: 'dead-letter', message, reason, error };
  }
  // Decoded, the record is of a known type read as `event.type`, which has a handler (else: skipped).
  return { action: 'apply', message, record: { message, event, handler: consumer.handlerFor(event.type)! } };
}
