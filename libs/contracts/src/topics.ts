/**
 * The topic registry: every Kafka topic of the platform, defined once. The infrastructure scripts create
 * topics from it, producers and consumers name topics through it; nobody writes a topic name by hand.
 */
import { PLATFORM_SERVICE_NAMES, type PlatformServiceName } from './services';

export { SERVICE_NAMES, type ServiceName } from './services';

/** How Kafka keeps a topic's log. */
export type CleanupPolicy = 'delete' | 'compact';

/** One topic of the registry. */
export interface TopicDefinition {
  /** The topic's name on the broker. */
  readonly name: string;
  /** The service that produces to it (the only one that may). */
  readonly producer: PlatformServiceName;
  /** What the record key is: it decides the partition, so one key's records stay in order. */
  readonly key: 'orderId' | 'sku' | 'original';
  /** Partition count; more partitions allow more consumer instances. */
  readonly partitions: number;
  /** `compact` keeps the latest record per key forever: the log is the state. */
  readonly cleanupPolicy: CleanupPolicy;
  /** `retention.ms` when not the broker's default (7 days); -1 keeps records forever. */
  readonly retentionMs?: number;
  /** `max.message.bytes`: the largest record batch the topic takes (set on every topic, see below). */
  readonly maxMessageBytes: number;
}

/**
 * The largest record batch a saga or catalog topic takes (`max.message.bytes`, Kafka's default of
 * 1 MiB, but stated rather than left to the broker's setting).
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * How much larger a dead-letter topic's limit is: a dead letter is the original record plus `dlq_*`
 * headers (the error cut to 2,000 characters, where from, when), a few KB at most. Without the room, a
 * record near {@link MAX_RECORD_BYTES} could not be dead-lettered, and its consumer would stop for good.
 */
export const DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;

/** The saga and catalog topics of docs/design.md, then those of added services (`npm run generate:service`). */
export const TOPICS = {
  orderEvents: {
    name: 'order.events',
    producer: 'order',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    maxMessageBytes: MAX_RECORD_BYTES,
  },
  paymentEvents: {
    name: 'payment.events',
    producer: 'payment',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    maxMessageBytes: MAX_RECORD_BYTES,
  },
  inventoryEvents: {
    name: 'inventory.events',
    producer: 'inventory',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    maxMessageBytes: MAX_RECORD_BYTES,
  },
  catalogProducts: {
    name: 'catalog.products',
    producer: 'inventory',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'compact',
    maxMessageBytes: MAX_RECORD_BYTES,
  },
  // generate:service adds new topics above this line.
} as const satisfies Record<string, TopicDefinition>;

/**
 * The dead-letter topic of one consuming service: records it could not apply, with their original
 * bytes, headers and the error. Keyed like the original record so a replay keeps per-key order.
 */
export function deadLetterTopic(service: PlatformServiceName): TopicDefinition {
  return {
    name: `${service}.dlq`,
    producer: service,
    key: 'original',
    partitions: 1,
    cleanupPolicy: 'delete',
    // A dead letter waits for a person; it must not expire before someone looks at it.
    retentionMs: -1,
    maxMessageBytes: MAX_RECORD_BYTES + DEAD_LETTER_HEADROOM_BYTES,
  };
}

/** Every topic the platform needs on a broker, dead-letter topics included. */
export function allTopics(): TopicDefinition[] {
  return [...Object.values(TOPICS), ...PLATFORM_SERVICE_NAMES.map(deadLetterTopic)];
}

/**
 * The topic-level settings (`cleanup.policy`, `max.message.bytes`, `retention.ms`) the registry asks
 * for, as Kafka config entries.
 */
export function topicConfigEntries(topic: TopicDefinition): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: topic.cleanupPolicy },
    { name: 'max.message.bytes', value: String(topic.maxMessageBytes) },
    ...(topic.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(topic.retentionMs) }]),
  ];
}
