import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { SERVICE_NAMES, deadLetterTopic, type ServiceName } from '@saga/contracts';
import { REPLAY_FOR_GROUP_HEADER, type ConsumerStats } from '@saga/messaging';
import { testKafka } from '@saga/test-kit';
import { readToEnd } from '@saga/common';
import { type SagaHarness } from '@saga/testing';
import { PROBE, type FuzzRecord } from './consumer-fuzz-kinds';

/*
 * How the consumer fuzz sends its records and looks at what they did: the dead-letter topics, the
 * business state, the consumers' counters, and byte-for-byte comparisons of what came back.
 */

/** A dead letter as read back from a service's dead-letter topic. */
export interface DeadLetter {
  readonly service: ServiceName;
  readonly message: KafkaMessage;
}

/**
 * A header's value as text, a repeated header's values joined. kafkajs reads a header named like an
 * `Object.prototype` member (`toString`, `__proto__`) as that member followed by the value: only the
 * bytes count.
 */
export function text(value: unknown): string | undefined {
  const values = (Array.isArray(value) ? value : [value]).filter(
    (item): item is Buffer | string => Buffer.isBuffer(item) || typeof item === 'string',
  );
  return values.length === 0 ? undefined : values.map(String).join(',');
}

/** Reads every service's dead-letter topic to its end. */
export async function readDeadLetters(saga: SagaHarness): Promise<DeadLetter[]> {
  const byTopic = new Map(
    SERVICE_NAMES.map((s) => [`${saga.platform.topicPrefix}${deadLetterTopic(s).name}`, s]),
  );
  const letters: DeadLetter[] = [];
  await readToEnd(testKafka(), [...byTopic.keys()], (topic, _partition, message) => {
    letters.push({ service: byTopic.get(topic)!, message });
  });
  return letters;
}

/** The business state of the four services, their outboxes and inboxes: what a fuzz record must not change. */
export async function businessState(saga: SagaHarness) {
  const rows = (service: ServiceName, sql: string) => saga.query<Record<string, unknown>>(service, sql);
  return {
    orders: await rows('order', 'SELECT id, status, total_cents FROM orders ORDER BY id'),
    orderItems: await rows('order', 'SELECT count(*) FROM order_items'),
    timeline: await rows('order', 'SELECT count(*) FROM order_timeline'),
    catalog: await rows('order', 'SELECT * FROM catalog_products ORDER BY sku'),
    accounts: await rows('payment', 'SELECT customer_id, balance_cents FROM accounts ORDER BY 1'),
    payments: await rows('payment', 'SELECT * FROM payments ORDER BY 1'),
    entries: await rows('payment', 'SELECT count(*) FROM account_entries'),
    products: await rows('inventory', 'SELECT * FROM products ORDER BY sku'),
    reservations: await rows('inventory', 'SELECT count(*) FROM reservations'),
    reservationLines: await rows('inventory', 'SELECT count(*) FROM reservation_lines'),
    notifications: await rows('notification', 'SELECT * FROM notifications ORDER BY 1'),
    outboxes: await Promise.all(SERVICE_NAMES.map((s) => rows(s, 'SELECT count(*) FROM outbox'))),
    inboxes: await Promise.all(SERVICE_NAMES.map((s) => rows(s, 'SELECT count(*) FROM inbox'))),
    fuzzInInboxes: await Promise.all(
      SERVICE_NAMES.map((s) => rows(s, "SELECT count(*) FROM inbox WHERE event_id LIKE 'fuzz-%'")),
    ),
  };
}

/** Each service's consumer counters. */
export const consumerStats = (saga: SagaHarness) =>
  Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, { ...saga.platform.instance(s)!.consumer.stats }]),
  ) as Record<ServiceName, ConsumerStats>;

/** Sends the records, each with its probe header (and its replay header, resolved to a real group). */
export async function produceAll(saga: SagaHarness, producer: Producer, records: readonly FuzzRecord[]) {
  for (const record of records) {
    const headers: IHeaders = { ...record.headers, [PROBE]: record.probe };
    if (record.replayFor) {
      headers[REPLAY_FOR_GROUP_HEADER] =
        record.replayFor === 'nobody' ? 'nobody-service' : saga.platform.groupId(record.replayFor);
    }
    // One record a request: a few are hundreds of KB, and a batch of them would pass the broker's limit.
    await producer.send({
      topic: `${saga.platform.topicPrefix}${record.topic}`,
      acks: -1,
      messages: [{ key: record.key, value: record.value, headers }],
    });
  }
}

/**
 * Whether a dead letter's header holds the bytes that were sent: a string goes out as UTF-8 (a lone
 * surrogate as U+FFFD), and kafkajs reads a header named like an `Object.prototype` member with that
 * member in front (see {@link text}).
 */
export function sameHeader(actual: unknown, sent: unknown): boolean {
  const bytes = (value: unknown) =>
    (Array.isArray(value) ? value : [value])
      .filter((item): item is Buffer | string => Buffer.isBuffer(item) || typeof item === 'string')
      .map((item) => Buffer.from(item).toString('hex'))
      .join(',');
  return bytes(actual) === bytes(sent);
}

/** Whether two keys or values hold the same bytes (null and null included). */
export function sameBytes(actual: Buffer | null, expected: Buffer | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return actual.equals(expected);
}

/** The change of each counter between two looks. */
export function delta(before: ConsumerStats, after: ConsumerStats): ConsumerStats {
  return {
    applied: after.applied - before.applied,
    duplicates: after.duplicates - before.duplicates,
    skipped: after.skipped - before.skipped,
    retries: after.retries - before.retries,
    deadLettered: after.deadLettered - before.deadLettered,
  };
}
