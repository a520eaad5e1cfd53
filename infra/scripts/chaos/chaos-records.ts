import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { idempotentProducer, readToEnd } from '@saga/common';
import {
  EVENTS,
  SERVICE_NAMES,
  TOPICS,
  deadLetterTopic,
  readAsType,
  type PoisonReason,
  type ServiceName,
} from '@saga/contracts';
import { SAGA_SUBSCRIPTIONS, subscribedTopics } from '@saga/testing';
import { shuffled } from '../demo-traffic/traffic-mix';

/** The kinds of poison the chaos run injects, and the dead-letter reason each must get. */
export const POISON_KINDS = {
  'garbage bytes': 'invalid-json',
  'wrong schema': 'schema-invalid',
  'unknown type': 'unknown-type',
  'missing headers': 'missing-header',
} as const satisfies Record<string, PoisonReason>;

export type PoisonKind = keyof typeof POISON_KINDS;

/** A poison record as injected, and which services must dead-letter it with which reason. */
export interface PoisonRecord {
  readonly kind: PoisonKind;
  /** The logical topic (no prefix). */
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly reason: PoisonReason;
  /** The services consuming the topic that must dead-letter it (the others skip a type they do not handle). */
  readonly deadLetteredBy: readonly ServiceName[];
}

/** Every poison record's key starts so: it is how its dead letters are told from a good record's. */
const POISON_KEY_PREFIX = 'chaos-poison-';

/**
 * The saga topics a chaos run writes to: every topic one of the four services consumes (a chaos run
 * runs those four; a topic only an added service reads has nobody to dead-letter its poison).
 */
export const SAGA_TOPICS: readonly string[] = Object.values(TOPICS)
  .map((topic) => topic.name)
  .filter((topic) => SERVICE_NAMES.some((service) => subscribedTopics(service).includes(topic)));

/** The services whose consumer reads `topic`. */
function consumersOf(topic: string): ServiceName[] {
  return SERVICE_NAMES.filter((service) => subscribedTopics(service).includes(topic));
}

/** A type on `topic` that some service handles, read as itself (so the records are not upcast). */
function handledTypeOn(topic: string): string {
  const type = EVENTS.map((event) => event.type).find(
    (candidate) =>
      EVENTS.find((event) => event.type === candidate)!.topic.name === topic &&
      readAsType(candidate) === candidate &&
      SERVICE_NAMES.some((service) => SAGA_SUBSCRIPTIONS[service].includes(candidate)),
  );
  if (!type) throw new Error(`no service handles any type on ${topic}`);
  return type;
}

/**
 * One record of each poison kind for each saga topic: garbage bytes and a payload that breaks the
 * schema (both under a type some service handles), an unknown type, and a record without its CloudEvents
 * headers. Keys are unique (`chaos-poison-…`) so each can be found in the dead-letter topics.
 */
export function poisonRecords(run: string): PoisonRecord[] {
  return SAGA_TOPICS.flatMap((topic) => {
    const type = handledTypeOn(topic);
    const handlers = SERVICE_NAMES.filter((service) => SAGA_SUBSCRIPTIONS[service].includes(type));
    const headers = (ceType: string) => ({
      ce_specversion: '1.0',
      ce_id: randomUUID(),
      ce_type: ceType,
      ce_source: '/chaos',
      ce_time: new Date().toISOString(),
      ce_correlationid: randomUUID(),
      'content-type': 'application/json',
    });
    return (Object.keys(POISON_KINDS) as PoisonKind[]).map((kind): PoisonRecord => {
      const key = `${POISON_KEY_PREFIX}${run}-${topic}-${kind.replace(' ', '-')}`;
      const common = { kind, topic, key, reason: POISON_KINDS[kind] };
      switch (kind) {
        case 'garbage bytes':
          // 0xff never starts valid UTF-8 JSON.
          return {
            ...common,
            value: Buffer.concat([Buffer.from([0xff, 0xfe]), randomBytes(62)]),
            headers: headers(type),
            deadLetteredBy: handlers,
          };
        case 'wrong schema':
          return {
            ...common,
            value: Buffer.from(JSON.stringify({ orderId: 42, sku: null, chaos: true })),
            headers: headers(type),
            deadLetteredBy: handlers,
          };
        case 'unknown type':
          return {
            ...common,
            value: Buffer.from('{}'),
            headers: headers('chaos.NoSuchEvent.v1'),
            deadLetteredBy: consumersOf(topic),
          };
        case 'missing headers':
          return {
            ...common,
            value: Buffer.from(JSON.stringify({ orderId: key })),
            headers: { 'content-type': 'application/json' },
            deadLetteredBy: consumersOf(topic),
          };
      }
    });
  });
}

/** Produces records onto the copy's topics with `acks=-1`, as any producer of the platform would. */
export async function produce(
  kafka: Kafka,
  prefix: string,
  records: readonly {
    topic: string;
    key: Buffer | string | null;
    value: Buffer | null;
    headers: KafkaMessage['headers'];
  }[],
): Promise<void> {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  try {
    const byTopic = new Map<string, (typeof records)[number][]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push(record);
      byTopic.set(record.topic, messages);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic: `${prefix}${topic}`,
        messages: messages.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/**
 * A duplicate burst: reads the saga topics as they are now and produces `max` of their records again
 * (a seeded sample; all of them when fewer), byte for byte, onto the same topics and keys — the
 * redelivery a producer retry, a relay crash or an operator's replay would cause. Returns the count.
 */
export async function duplicateBurst(
  kafka: Kafka,
  prefix: string,
  max: number,
  random: () => number,
): Promise<number> {
  const seen: {
    topic: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: KafkaMessage['headers'];
  }[] = [];
  await readToEnd(
    kafka,
    SAGA_TOPICS.map((topic) => `${prefix}${topic}`),
    (topic, _partition, message) => {
      // Poison is not duplicated: each poison record must be dead-lettered exactly as injected.
      if (message.key?.toString().startsWith(POISON_KEY_PREFIX)) return;
      seen.push({
        topic: topic.slice(prefix.length),
        key: message.key,
        value: message.value,
        headers: message.headers,
      });
    },
  );
  const sample = shuffled(seen, random).slice(0, max);
  if (sample.length > 0) await produce(kafka, prefix, sample);
  return sample.length;
}

/** What the dead-letter topics hold after a run, against the poison injected. */
export interface DeadLetterCheck {
  /** Dead letters in all topics. */
  readonly total: number;
  /** Poison dead letters expected (record × service that must dead-letter it), and found as expected. */
  readonly expected: number;
  readonly found: number;
  /** Expected ones missing, or found with another reason or altered bytes. */
  readonly problems: string[];
  /** Dead letters that are not injected poison: good records the platform gave up on. */
  readonly unexpected: string[];
}

/** Reads every service's dead-letter topic and checks each poison record is there, intact, with its reason. */
export async function checkDeadLetters(
  kafka: Kafka,
  prefix: string,
  poison: readonly PoisonRecord[],
): Promise<DeadLetterCheck> {
  const letters = new Map<string, KafkaMessage[]>();
  const unexpected: string[] = [];
  let total = 0;
  for (const service of SERVICE_NAMES) {
    await readToEnd(kafka, [`${prefix}${deadLetterTopic(service).name}`], (_topic, _partition, message) => {
      total += 1;
      const key = message.key?.toString() ?? '';
      if (key.startsWith(POISON_KEY_PREFIX)) {
        const copies = letters.get(`${service}|${key}`) ?? [];
        copies.push(message);
        letters.set(`${service}|${key}`, copies);
      } else {
        unexpected.push(
          `${service}: ${message.headers?.ce_type?.toString()} ${key} (${message.headers?.dlq_reason?.toString()}: ${message.headers?.dlq_error?.toString()})`,
        );
      }
    });
  }
  const problems: string[] = [];
  let expected = 0;
  let found = 0;
  for (const record of poison) {
    for (const service of record.deadLetteredBy) {
      expected += 1;
      const copies = letters.get(`${service}|${record.key}`) ?? [];
      const intact = copies.filter(
        (letter) =>
          letter.value?.equals(record.value) && letter.headers?.dlq_reason?.toString() === record.reason,
      );
      if (intact.length >= 1) found += 1;
      else {
        const seen = copies.map((letter) => letter.headers?.dlq_reason?.toString()).join(', ') || 'nothing';
        problems.push(
          `${record.kind} on ${record.topic}: ${service} dead-lettered ${seen}, expected ${record.reason}`,
        );
      }
    }
  }
  return { total, expected, found, problems, unexpected };
}
