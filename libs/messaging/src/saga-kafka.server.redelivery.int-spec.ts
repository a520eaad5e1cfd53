import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { toKafkaRecord } from '@saga/contracts';
import {
  createMigratedDataSource,
  createTestDatabase,
  createTestTopic,
  testKafka,
  type TestDatabase,
} from '@saga/test-kit';
import { waitFor } from '@saga/common';
import { CreateInbox1795300000002 } from '@saga/inbox';
import {
  APPLIED_TABLE,
  attempts,
  behaviour,
  placed,
  releaseSlow,
  startProbe,
} from './consumer-probe.fixture';
import type { SagaKafkaServer } from './saga-kafka.server';

/** Delivered again, or not: the inbox absorbs a redelivery, and close() commits what it applied. */
describe('SagaKafkaServer (real broker and database)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let topic: { name: string; remove: () => Promise<void> };
  let dlq: { name: string; remove: () => Promise<void> };
  let producer: Producer;
  let app: INestMicroservice | undefined;
  let server: SagaKafkaServer;
  const groupId = `it-consumer-${randomUUID()}`;

  async function startConsumer(): Promise<void> {
    ({ server, app } = await startProbe({
      kafka: testKafka('it-consumer'),
      groupId,
      dataSource,
      topic: topic.name,
      deadLetterTopic: dlq.name,
    }));
  }

  async function send(
    ...records: { key: string | null; value: Buffer | string | null; headers?: Record<string, string> }[]
  ) {
    await producer.send({ topic: topic.name, acks: -1, messages: records });
  }

  const appliedEvent = async (eventId: string): Promise<number> =>
    Number((await dataSource.query('SELECT count(*) AS n FROM applied WHERE event_id = $1', [eventId]))[0].n);

  const appliedRows = async (orderId: string): Promise<number> =>
    Number((await dataSource.query('SELECT count(*) AS n FROM applied WHERE order_id = $1', [orderId]))[0].n);

  beforeAll(async () => {
    database = await createTestDatabase('consumer');
    dataSource = await createMigratedDataSource(database.url, [CreateInbox1795300000002], APPLIED_TABLE);
    topic = await createTestTopic('consumer', 3);
    dlq = await createTestTopic('consumer-dlq', 1);
    producer = testKafka('it-producer').producer();
    await producer.connect();
    await startConsumer();
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await Promise.all([topic.remove(), dlq.remove()]);
    await dataSource.destroy();
    await database.drop();
  });

  it('applies an event once, however often it is delivered', async () => {
    // Arrange
    const event = placed();
    const record = toKafkaRecord(event);

    // Act
    await send(record, record, record);
    await waitFor(() => server.stats.duplicates >= 2 || undefined, {
      timeoutMs: 20_000,
      what: 'two duplicates',
    });

    // Assert
    expect(await appliedRows(event.data.orderId)).toBe(1);
  });

  it('on close, finishes the record in flight and commits it, so a restart does not see it again', async () => {
    // Arrange: the slow record, then a marker on the same key, hence the same partition, after it.
    const event = placed();
    behaviour.set(event.data.orderId, 'slow');
    await send(toKafkaRecord(event));
    await waitFor(() => attempts.get(event.data.orderId) === 1 || undefined, {
      timeoutMs: 20_000,
      what: 'the slow handler',
    });

    // Act
    const closing = app!.close();
    releaseSlow();
    await closing;
    behaviour.delete(event.data.orderId);
    const duplicatesBefore = server.stats.duplicates;
    await startConsumer();
    const marker = placed(event.data.orderId);
    await send(toKafkaRecord(marker));
    await waitFor(async () => (await appliedEvent(marker.id)) === 1 || undefined, {
      timeoutMs: 30_000,
      what: 'the restarted consumer to apply the marker',
    });

    // Assert: had the slow record's offset not been committed, the restart would have met it first.
    expect(await appliedEvent(event.id)).toBe(1);
    expect(server.stats.duplicates).toBe(0);
    expect(attempts.get(event.data.orderId)).toBe(2); // the slow record once, the marker once
    expect(duplicatesBefore).toBeGreaterThanOrEqual(2);
  });
});
