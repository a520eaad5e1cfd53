import type { Tracer } from '@opentelemetry/api';
import type { Kafka } from 'kafkajs';

/** Where the relay reports; Nest's Logger fits. */
export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Each batch sent, with the broker's answers (when the service logs at `debug`). */
  debug?(message: string): void;
}

/** Told of each row the relay published: the service's metrics. */
export interface RelayObserver {
  /** A row of `topic` was acknowledged by the broker `latencySeconds` after its transaction wrote it. */
  published(topic: string, latencySeconds: number): void;
}

/** Settings of an {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** The service's database (the one holding its outbox table). */
  readonly databaseUrl: string;
  /** A kafkajs client; the relay makes its own idempotent producer from it. */
  readonly kafka: Kafka;
  /** For logs and the connection's application_name, e.g. `order-service`. */
  readonly name: string;
  /** Rows read and published per round (default 500). */
  readonly batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (default 5 s); the hot path never waits for it. */
  readonly pollIntervalMs?: number;
  /** How often a standby instance tries to take the lead (default 250 ms): the takeover delay. */
  readonly lockRetryMs?: number;
  /**
   * How long published rows are kept (marked `published_at`) before cleanup deletes them. The default,
   * 0, deletes a row as soon as it is published: Kafka holds the history, and a delete is far cheaper
   * than rewriting the row (docs/adr/0006). Keep them (say 24 h) to inspect the outbox by SQL.
   */
  readonly retentionMs?: number;
  /** How often the leader deletes expired rows (default 60 s). */
  readonly cleanupIntervalMs?: number;
  /** Delay before reconnecting after a database or Kafka error (default 1 s). */
  readonly retryDelayMs?: number;
  readonly logger?: RelayLogger;
  /**
   * Prepended to every row's topic when sending (`KAFKA_TOPIC_PREFIX`): one broker can host several
   * isolated copies of the platform, e.g. one per end-to-end test. Rows store the logical topic name.
   */
  readonly topicPrefix?: string;
  /**
   * Makes a producer span per row, the child of the span that wrote it (default: the global tracer
   * provider's tracer, a no-op unless the process registered one).
   */
  readonly tracer?: Tracer;
  readonly observer?: RelayObserver;
  /** Fault injection for tests: runs after a batch is sent and before it is marked published. */
  readonly afterSend?: (ids: readonly string[]) => Promise<void> | void;
}

/** What an instance of the relay is doing. */
export type RelayRole = 'stopped' | 'connecting' | 'standby' | 'leader';

/** One outbox row as the relay reads it. */
export interface OutboxRow {
  id: string;
  topic: string;
  record_key: string;
  headers: Record<string, string>;
  payload: string;
  /** When the row's transaction wrote it (ms since the epoch). */
  created_ms: number;
}
