import type { IHeaders, KafkaMessage } from 'kafkajs';

/** Why a record was dead-lettered: a poison reason from the decoder, or the handler's failure. */
export type DeadLetterReason =
  | 'missing-header'
  | 'undecodable'
  | 'unsupported-specversion'
  | 'unknown-type'
  | 'invalid-json'
  | 'schema-invalid'
  | 'non-retriable'
  | 'retries-exhausted';

/** Where a dead letter came from and why. */
export interface DeadLetterInfo {
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly consumerGroup: string;
  readonly attempts: number;
}

/** The headers a dead letter adds to the original ones (all prefixed `dlq_`). */
export const DLQ_HEADERS = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  consumerGroup: 'dlq_consumer_group',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
} as const;

/**
 * A consumed record's headers as a producer can send them again: their Buffer and string values only.
 * kafkajs reads a header named like an `Object.prototype` member (`constructor`, `toString`,
 * `__proto__`, …) as that member followed by the header's value; sent back as is, the function makes
 * the producer throw — and a dead letter that cannot be sent crashed the consumer for good.
 */
export function sendableHeaders(headers: IHeaders | undefined): IHeaders {
  // fromEntries defines each name as an own property, `__proto__` included (an assignment would not).
  return Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value]).filter(
        (item): item is Buffer | string => Buffer.isBuffer(item) || typeof item === 'string',
      );
      return values.length === 0 ? [] : [[name, values.length === 1 ? values[0] : values]];
    }),
  );
}

/**
 * The dead-letter record of `message`: its original key and value bytes untouched, its original
 * headers, and `dlq_*` headers saying where it came from and why it failed. Replay strips the `dlq_*`
 * headers and sends key, value and headers back to the original topic.
 */
export function deadLetterRecord(
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  info: DeadLetterInfo,
) {
  const headers: IHeaders = {
    ...sendableHeaders(message.headers),
    [DLQ_HEADERS.reason]: info.reason,
    [DLQ_HEADERS.error]: info.error.slice(0, 2000),
    [DLQ_HEADERS.topic]: info.topic,
    [DLQ_HEADERS.partition]: String(info.partition),
    [DLQ_HEADERS.offset]: info.offset,
    [DLQ_HEADERS.consumerGroup]: info.consumerGroup,
    [DLQ_HEADERS.attempts]: String(info.attempts),
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  };
  return { key: message.key, value: message.value, headers };
}

/**
 * Set on a replayed record: only this consumer group applies it. The topic is shared, and the other
 * groups applied the record long ago; their inboxes may have forgotten it by the time of the replay.
 */
export const REPLAY_FOR_GROUP_HEADER = 'saga_replay_for_group';

/**
 * The original record inside a dead letter, as replay sends it back: `dlq_*` headers removed, and
 * addressed to the consumer group that dead-lettered it.
 */
export function originalOf(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>) {
  const headers: IHeaders = Object.fromEntries(
    Object.entries(sendableHeaders(message.headers)).filter(([name]) => !name.startsWith('dlq_')),
  );
  const group = message.headers?.[DLQ_HEADERS.consumerGroup]?.toString();
  if (group) headers[REPLAY_FOR_GROUP_HEADER] = group;
  return { key: message.key, value: message.value, headers };
}

/** Whether a record is a replay meant for another consumer group (and so not for `groupId`). */
export function isReplayForAnotherGroup(message: Pick<KafkaMessage, 'headers'>, groupId: string): boolean {
  const target = message.headers?.[REPLAY_FOR_GROUP_HEADER]?.toString();
  return target !== undefined && target !== groupId;
}
