import type { Producer } from 'kafkajs';
import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { toKafkaRecord, type EventEnvelope } from '@saga/contracts';
import { topicMessages } from './topic-messages';

/** Where a transaction's events wait for its commit, in TypeORM's per-query-runner `data`. */
const PENDING = Symbol('saga.directPublish.pending');

type Pending = Record<typeof PENDING, EventEnvelope[] | undefined>;

/** The data sources built for the unsafe baseline. */
const unsafeDataSources = new WeakSet<DataSource>();

/**
 * **Unsafe; for the benchmark's baseline only** (`SAGA_UNSAFE_DIRECT_PUBLISH=true`, see
 * docs/performance.md). Sends a transaction's events straight after its commit, awaited by the caller,
 * instead of through the outbox table and the relay: the dual write the outbox exists to prevent. A
 * crash between the commit and the send loses the events; a failed send after a commit loses them too.
 * It prices what the outbox costs; nothing else may use it.
 */
class DirectPublisher implements EntitySubscriberInterface {
  constructor(
    private readonly producer: Producer,
    private readonly topicPrefix: string,
  ) {}

  /** Awaited by TypeORM's commit, so the transaction's caller sees the send finish (or fail). */
  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const data = event.queryRunner.data as Partial<Pending>;
    const events = data[PENDING];
    data[PENDING] = undefined;
    if (!events || events.length === 0) return;
    const records = events.map(toKafkaRecord).map(({ topic, key, value, headers }) => ({
      topic,
      message: { key, value, headers },
    }));
    await this.producer.sendBatch({ acks: -1, topicMessages: topicMessages(records, this.topicPrefix) });
  }

  afterTransactionRollback(event: TransactionCommitEvent): void {
    (event.queryRunner.data as Partial<Pending>)[PENDING] = undefined;
  }
}

/** Makes `dataSource` publish directly after commit (see {@link DirectPublisher}): the unsafe baseline. */
export function enableUnsafeDirectPublish(
  dataSource: DataSource,
  producer: Producer,
  topicPrefix: string,
): void {
  unsafeDataSources.add(dataSource);
  dataSource.subscribers.push(new DirectPublisher(producer, topicPrefix));
}

/**
 * In the unsafe baseline, keeps the events for sending after the transaction commits and returns true;
 * otherwise returns false and the outbox does its work.
 */
export function deferToDirectPublish(manager: EntityManager, events: readonly EventEnvelope[]): boolean {
  if (!unsafeDataSources.has(manager.dataSource)) return false;
  const data = manager.queryRunner!.data as Partial<Pending>;
  data[PENDING] = [...(data[PENDING] ?? []), ...events];
  return true;
}
