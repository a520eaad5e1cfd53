import type { Tracer } from '@opentelemetry/api';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { PlatformServiceName } from '@saga/contracts';
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
  /**
   * The service this consumer belongs to. Its topics are then those the choreography table
   * (`CHOREOGRAPHY` in `@saga/contracts`) lists for it, and the consumer refuses to start when its
   * `@OnEvent` handlers take other events than the table says.
   */
  readonly service?: PlatformServiceName;
  /**
   * Topics to consume, overriding the above; by default those of the service's events in the table,
   * or, without a service, those of the event types the handlers are registered for.
   */
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
  /**
   * Makes a consumer span per record, the child of the `traceparent` it carries (default: the global
   * tracer provider's tracer, a no-op unless the process registered one).
   */
  readonly tracer?: Tracer;
  /** Told what the consumer does, as it does it: the service's metrics. */
  readonly observer?: ConsumerObserver;
}

/** What the consumer reports as it goes; every call is synchronous and cheap. */
export interface ConsumerObserver {
  /** A handler ran for `seconds`: `applied` once its transaction committed, `failed` when it threw or rolled back. */
  handled(eventType: string, seconds: number, outcome: 'applied' | 'failed'): void;
  /** A record is tried again after a failure. */
  retried(eventType: string): void;
  /** A record was delivered again after it had been applied: the inbox absorbed it. */
  duplicate(eventType: string): void;
  /** A record went to the dead-letter topic (`topic` is where it was read). */
  deadLettered(topic: string, reason: string): void;
}

/** How far a partition's committed offset is behind its end. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Records on the partition the group has not committed yet. */
  readonly lag: number;
}

/** Counts of what the consumer did, for metrics and tests. */
export interface ConsumerStats {
  applied: number;
  duplicates: number;
  skipped: number;
  retries: number;
  deadLettered: number;
}
