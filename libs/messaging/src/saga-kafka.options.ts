import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { RetryPolicy } from './retry-policy';

/** Settings of the {@link SagaKafkaServer}. */
export interface SagaKafkaServerOptions {
  /** A kafkajs client. */
  readonly kafka: Kafka;
  /** The consumer group; also the inbox's consumer name. */
  readonly groupId: string;
  /** The service's database: each record is applied in one of its transactions. */
  readonly dataSource: DataSource;
  /** Where records that cannot be applied go, e.g. `order.dlq`. */
  readonly deadLetterTopic: string;
  /** Topics to consume; by default those of the event types the handlers are registered for. */
  readonly topics?: readonly string[];
  /** Prepended to the default topics (`KAFKA_TOPIC_PREFIX`), as the outbox relay does when sending. */
  readonly topicPrefix?: string;
  readonly retry?: RetryPolicy;
  /**
   * How long the group waits for a silent member (default 10 s) before its partitions go to another
   * instance; heartbeats go every third of it. A crashed instance's partitions stall this long.
   */
  readonly sessionTimeoutMs?: number;
  /** Partitions processed in parallel (each one in order). Default 3. */
  readonly partitionsConsumedConcurrently?: number;
  /** Inbox entries are kept this long (default 7 days), then deleted by housekeeping every 5 minutes. */
  readonly inboxRetentionMs?: number;
  /**
   * **Unsafe; the benchmark's baseline only**: apply records without the inbox, so a redelivered record
   * is applied again. Default false.
   */
  readonly unsafeSkipInbox?: boolean;
}

/** Counts of what the consumer did, for metrics and tests. */
export interface ConsumerStats {
  applied: number;
  duplicates: number;
  skipped: number;
  retries: number;
  deadLettered: number;
}
