import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ProductUpdatedV1, createEvent, toKafkaRecord } from '@saga/contracts';
import {
  createMigratedDataSource,
  createTestDatabase,
  createTestTopic,
  testKafka,
  type TestDatabase,
} from '@saga/test-kit';
import { waitFor } from '@saga/common';
import { CreateInbox1795300000002 } from '@saga/inbox';
import { readDeadLetters } from './dead-letter-store';
import { APPLIED_TABLE, placed, startProbe } from './consumer-probe.fixture';
import type { SagaKafkaServer } from './saga-kafka.server';

/** Records the consumer sets aside without applying them: poison ones, and types it does not handle. */
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

  it('dead-letters poison records with their reason and original bytes, and goes on with the partition', async () => {
    // Arrange: every record on one key, so one partition; the good one comes last.
    const key = randomUUID();
    const good = placed(key);
    const headers = toKafkaRecord(good).headers;
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const before = server.stats.deadLettered;

    // Act
    await send(
      { key, value: garbage, headers: { ...headers, ce_id: randomUUID() } },
      { key, value: '{"orderId":"not-a-uuid"}', headers: { ...headers, ce_id: randomUUID() } },
      { key, value: '{}', headers: { ...headers, ce_id: randomUUID(), ce_type: 'order.exploded.v1' } },
      { key, value: '{}', headers: {} },
      toKafkaRecord(good),
    );
    await waitFor(async () => (await appliedRows(key)) === 1 || undefined, {
      timeoutMs: 20_000,
      what: 'the good record',
    });
    const letters = (await readDeadLetters(testKafka(), dlq.name)).filter(
      (letter) => letter.message.key?.toString() === key,
    );

    // Assert
    expect(server.stats.deadLettered - before).toBe(4);
    expect(letters.map((letter) => letter.reason)).toEqual([
      'invalid-json',
      'schema-invalid',
      'unknown-type',
      'missing-header',
    ]);
    expect(letters[0].message.value).toEqual(garbage);
    expect(
      letters.every((letter) => letter.originalTopic === topic.name && letter.consumerGroup === groupId),
    ).toBe(true);
    expect(letters[1].error).toContain('orderId');
  });

  it('skips a known type it has no handler for, even with its ce_type header sent twice', async () => {
    // Arrange: a valid catalog record (no handler here) whose ce_type comes twice, then a good one, one key
    const key = randomUUID();
    const product = toKafkaRecord(
      createEvent(
        ProductUpdatedV1,
        { sku: 'SKU-1', name: 'Thing', priceCents: 1, currency: 'EUR', available: 1 },
        { source: 'inventory' },
      ),
    );
    const { skipped, deadLettered, retries } = server.stats;

    // Act
    await producer.send({
      topic: topic.name,
      acks: -1,
      messages: [
        {
          key,
          value: product.value,
          headers: { ...product.headers, ce_type: [product.headers.ce_type, 'x'] },
        },
        toKafkaRecord(placed(key)),
      ],
    });
    await waitFor(async () => (await appliedRows(key)) === 1 || undefined, {
      timeoutMs: 20_000,
      what: 'the good record',
    });

    // Assert
    expect({
      skipped: server.stats.skipped - skipped,
      deadLettered: server.stats.deadLettered - deadLettered,
      retries: server.stats.retries - retries,
    }).toEqual({ skipped: 1, deadLettered: 0, retries: 0 });
  });
});
