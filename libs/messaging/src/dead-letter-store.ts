import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { idempotentProducer, waitFor } from '@saga/common';
import { DLQ_HEADERS, originalOf } from './dead-letter';

/** One record of a dead-letter topic, as `npm run dlq -- list` shows it. */
export interface DeadLetter {
  /** Its place in the dead-letter topic, `<partition>:<offset>`: what `replay --id` takes. */
  readonly id: string;
  readonly reason: string;
  readonly error: string;
  readonly originalTopic: string;
  readonly originalPartition: string;
  readonly originalOffset: string;
  readonly consumerGroup: string;
  readonly attempts: string;
  readonly failedAt: string;
  /** The original `ce_id` and `ce_type`, when the record had them. */
  readonly eventId?: string;
  readonly eventType?: string;
  readonly message: KafkaMessage;
}

const text = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString() ?? '';

/** Reads every record of a dead-letter topic, from the first to the last at the time of the call. */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const expected = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (expected === 0) return [];

  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        letters.push({
          id: `${partition}:${message.offset}`,
          reason: text(message, DLQ_HEADERS.reason),
          error: text(message, DLQ_HEADERS.error),
          originalTopic: text(message, DLQ_HEADERS.topic),
          originalPartition: text(message, DLQ_HEADERS.partition),
          originalOffset: text(message, DLQ_HEADERS.offset),
          consumerGroup: text(message, DLQ_HEADERS.consumerGroup),
          attempts: text(message, DLQ_HEADERS.attempts),
          failedAt: text(message, DLQ_HEADERS.failedAt),
          eventId: text(message, 'ce_id') || undefined,
          eventType: text(message, 'ce_type') || undefined,
          message,
        });
        return Promise.resolve();
      },
    });
    await waitFor(() => letters.length >= expected, { timeoutMs, what: `${expected} records of ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
}

/**
 * Sends dead letters back to their original topic — key, value and original headers, the `dlq_*`
 * headers removed — so their consumer applies them again (after the cause was fixed). All of them, or
 * those whose `id` is in `ids`. A record that was applied meanwhile is a duplicate for the inbox.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  topic: string,
  ids?: readonly string[],
): Promise<DeadLetter[]> {
  const letters = (await readDeadLetters(kafka, topic)).filter((letter) => !ids || ids.includes(letter.id));
  const unknown = (ids ?? []).filter((id) => !letters.some((letter) => letter.id === id));
  if (unknown.length > 0) {
    throw new Error(`no dead letter ${unknown.join(', ')} in ${topic}`);
  }
  const producer = idempotentProducer(kafka);
  await producer.connect();
  try {
    for (const letter of letters) {
      await producer.send({ topic: letter.originalTopic, acks: -1, messages: [originalOf(letter.message)] });
    }
  } finally {
    await producer.disconnect();
  }
  return letters;
}
