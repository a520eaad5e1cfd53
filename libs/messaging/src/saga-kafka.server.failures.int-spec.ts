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
import { readDeadLetters, replayDeadLetters } from './dead-letter-store';
import { APPLIED_TABLE, attempts, behaviour, placed, startProbe } from './consumer-probe.fixture';
import type { SagaKafkaServer } from './saga-kafka.server';

/** Handlers that fail: retried, dead-lettered and replayed, or waited for while the database is down. */
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

  it('retries a transient failure and applies the event once it passes, with nothing from the failed tries', async () => {
    // Arrange
    const event = placed();
    behaviour.set(event.data.orderId, 'fail-twice');

    // Act
    await send(toKafkaRecord(event));
    await waitFor(async () => (await appliedRows(event.data.orderId)) === 1 || undefined, {
      timeoutMs: 20_000,
      what: 'the event to be applied',
    });

    // Assert
    expect(attempts.get(event.data.orderId)).toBe(3);
  });

  it('applies a burst on one partition once each, in partition order, also when one in the middle fails', async () => {
    // Arrange: 30 events on partition 0 in one send (batches of them share a transaction), the 15th
    // failing its first two tries.
    const burst = Array.from({ length: 30 }, () => placed());
    behaviour.set(burst[14].data.orderId, 'fail-twice');

    // Act
    await producer.send({
      topic: topic.name,
      acks: -1,
      messages: burst.map((event) => ({ ...toKafkaRecord(event), partition: 0 })),
    });
    const orderIds = burst.map((event) => event.data.orderId);
    const rows = await waitFor(
      async () => {
        const found: { order_id: string }[] = await dataSource.query(
          'SELECT order_id FROM applied WHERE order_id = ANY($1::uuid[]) ORDER BY seq',
          [orderIds],
        );
        return found.length >= burst.length ? found : undefined;
      },
      { timeoutMs: 20_000, what: 'the burst to be applied' },
    );

    // Assert
    expect(rows.map((row) => row.order_id)).toEqual(orderIds);
    expect(attempts.get(burst[14].data.orderId)).toBe(3);
  });

  it('dead-letters a permanent failure after the last try and a non-retriable one at once; replay applies it once fixed', async () => {
    // Arrange
    const broken = placed();
    const refused = placed();
    behaviour.set(broken.data.orderId, 'fail-always');
    behaviour.set(refused.data.orderId, 'non-retriable');

    // Act
    await send(toKafkaRecord(broken), toKafkaRecord(refused));
    const letters = await waitFor(
      async () => {
        const found = (await readDeadLetters(testKafka(), dlq.name)).filter((letter) =>
          [broken.id, refused.id].includes(letter.eventId ?? ''),
        );
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 20_000, what: 'two dead letters' },
    );
    behaviour.delete(broken.data.orderId); // the cause is fixed
    const brokenLetter = letters.find((letter) => letter.eventId === broken.id)!;
    await replayDeadLetters(testKafka(), dlq.name, [brokenLetter.id]);
    await waitFor(async () => (await appliedRows(broken.data.orderId)) === 1 || undefined, {
      timeoutMs: 20_000,
      what: 'the replayed event to be applied',
    });

    // Assert
    expect(brokenLetter).toMatchObject({ reason: 'retries-exhausted', attempts: '3', error: 'still broken' });
    expect(letters.find((letter) => letter.eventId === refused.id)).toMatchObject({
      reason: 'non-retriable',
      attempts: '1',
    });
    expect(attempts.get(broken.data.orderId)).toBe(4);
    expect(await appliedRows(refused.data.orderId)).toBe(0);
  });

  it('retries while the database is unavailable, past the retry limit, instead of dead-lettering', async () => {
    // Arrange: six "connection terminated" failures, against a limit of three tries.
    const event = placed();
    behaviour.set(event.data.orderId, 'database-down');
    const deadLettered = server.stats.deadLettered;

    // Act
    await send(toKafkaRecord(event));
    await waitFor(async () => (await appliedRows(event.data.orderId)) === 1 || undefined, {
      timeoutMs: 30_000,
      what: 'the event to be applied once the database is back',
    });

    // Assert
    expect(attempts.get(event.data.orderId)).toBe(7);
    expect(server.stats.deadLettered).toBe(deadLettered);
  });
});
