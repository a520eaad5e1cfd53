import type { Tracer } from '@opentelemetry/api';
import type { Producer, RecordMetadata } from 'kafkajs';
import type { OutboxRow, RelayLogger, RelayObserver } from './outbox-relay.options';
import { endPublishSpans, startPublishSpan } from './publish-span';
import { sentBatchLine } from './sent-batch-line';
import { topicMessages } from './topic-messages';

/** What {@link publishRows} needs of its relay. */
export interface RowPublisher {
  readonly producer: Producer;
  readonly tracer: Tracer;
  /** For the debug line of each batch. */
  readonly name: string;
  readonly topicPrefix?: string;
  readonly logger: RelayLogger;
  readonly observer?: RelayObserver;
}

/**
 * Sends outbox rows to Kafka in the order given, in one `sendBatch` acknowledged by all in-sync
 * replicas, each row in its publish span; resolves once the broker has them all. Both relays use it.
 */
export async function publishRows(publisher: RowPublisher, rows: readonly OutboxRow[]): Promise<void> {
  const prefix = publisher.topicPrefix ?? '';
  const published = rows.map((row) => startPublishSpan(publisher.tracer, row, `${prefix}${row.topic}`));
  const spans = published.map(({ span }) => span);
  const records = rows.map((row, i) => ({
    topic: row.topic,
    message: { key: row.record_key, value: row.payload, headers: published[i].headers },
  }));
  let answers: RecordMetadata[];
  try {
    answers = await publisher.producer.sendBatch({ acks: -1, topicMessages: topicMessages(records, prefix) });
  } catch (error) {
    endPublishSpans(spans, error);
    throw error;
  }
  endPublishSpans(spans);
  publisher.logger.debug?.(sentBatchLine(publisher.name, rows, answers));
  const now = Date.now();
  for (const row of rows) publisher.observer?.published(row.topic, Math.max(0, now - row.created_ms) / 1000);
}
