import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent, type EventEnvelope } from '@saga/contracts';
import { idempotentProducer, waitFor } from '@saga/common';
import {
  collectRecords,
  createMigratedDataSource,
  createTestDatabase,
  createTestTopic,
  testKafka,
  type TestDatabase,
} from '@saga/test-kit';
import { addToOutbox } from './add-to-outbox';
import { CreateOutbox1795300000001 } from './create-outbox.migration';
import { enableUnsafeDirectPublish } from './direct-publish';

function placed(topic: string): EventEnvelope {
  const event = createEvent(
    OrderPlacedV1,
    {
      orderId: randomUUID(),
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'EUR',
    },
    { source: 'order' },
  );
  return { ...event, topic };
}

describe('unsafe direct publish, the benchmark baseline (real broker and database)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let topic: { name: string; remove: () => Promise<void> };
  const producer = idempotentProducer(testKafka('direct-publish-test'));

  beforeAll(async () => {
    database = await createTestDatabase('direct_publish');
    dataSource = await createMigratedDataSource(database.url, [CreateOutbox1795300000001]);
    topic = await createTestTopic('direct-publish', 1);
    await producer.connect();
    enableUnsafeDirectPublish(dataSource, producer, '');
  });

  afterAll(async () => {
    await producer.disconnect();
    await topic.remove();
    await dataSource.destroy();
    await database.drop();
  });

  it('sends a committed transaction’s events once its commit returns, writing no outbox row', async () => {
    // Arrange
    const collector = await collectRecords([topic.name]);
    const event = placed(topic.name);

    // Act
    await dataSource.transaction((manager) => addToOutbox(manager, event));

    // Assert: sent by the time the transaction resolved (the commit awaits the send); no outbox row
    await waitFor(() => collector.records.length >= 1 || undefined, {
      timeoutMs: 15_000,
      what: 'the record',
    });
    await collector.stop();
    expect(collector.records.map((r) => r.message.headers!.ce_id!.toString())).toEqual([event.id]);
    const [{ count }] = await dataSource.query<{ count: string }[]>('SELECT count(*) FROM outbox');
    expect(Number(count)).toBe(0);
  });

  it('sends nothing for a transaction that rolls back', async () => {
    // Arrange
    const rolledBack = placed(topic.name);
    const committed = placed(topic.name);
    const collector = await collectRecords([topic.name]);

    // Act
    await dataSource
      .transaction(async (manager) => {
        await addToOutbox(manager, rolledBack);
        throw new Error('handler failed');
      })
      .catch(() => undefined);
    await dataSource.transaction((manager) => addToOutbox(manager, committed));

    // Assert: the later commit's event arrives; the rolled-back one never did (one partition: in order)
    await waitFor(
      () => collector.records.some((r) => r.message.headers!.ce_id!.toString() === committed.id) || undefined,
      { timeoutMs: 15_000, what: 'the committed record' },
    );
    await collector.stop();
    const seen = collector.records.map((r) => r.message.headers!.ce_id!.toString());
    expect(seen).not.toContain(rolledBack.id);
  });
});
