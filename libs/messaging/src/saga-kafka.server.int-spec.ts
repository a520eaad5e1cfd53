import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  OrderPlacedV1,
  ProductUpdatedV1,
  createEvent,
  toKafkaRecord,
  type EventData,
  type EventEnvelope,
} from '@saga/contracts';
import {
  createTestDataSource,
  createTestDatabase,
  createTestTopic,
  testKafka,
  waitFor,
  type TestDatabase,
} from '@saga/testing';
import { readDeadLetters, replayDeadLetters } from './dead-letter-store';
import { OnEvent } from './on-event.decorator';
import { PassErrorsThroughFilter } from './pass-errors-through.filter';
import { NonRetriableError, type SagaEventContext } from './saga-event-context';
import { SagaKafkaServer } from './saga-kafka.server';

type Behaviour = 'fail-twice' | 'fail-always' | 'non-retriable' | 'slow' | 'database-down';
const behaviour = new Map<string, Behaviour>();
const attempts = new Map<string, number>();
let releaseSlow: () => void = () => undefined;

/** A consumer as a service writes one: thin, and every write through the context's manager. */
@Controller()
class ProbeHandlers {
  @OnEvent(OrderPlacedV1)
  async onOrderPlaced(
    @Payload() event: EventEnvelope<EventData<typeof OrderPlacedV1>>,
    @Ctx() context: SagaEventContext,
  ) {
    const { orderId } = event.data;
    attempts.set(orderId, (attempts.get(orderId) ?? 0) + 1);
    await context.manager.query('INSERT INTO applied (event_id, order_id) VALUES ($1, $2)', [
      event.id,
      orderId,
    ]);
    const mode = behaviour.get(orderId);
    if (mode === 'fail-twice' && context.attempt <= 2) throw new Error('database hiccup');
    if (mode === 'fail-always') throw new Error('still broken');
    if (mode === 'non-retriable') throw new NonRetriableError('contradicts the account');
    if (mode === 'slow') await new Promise<void>((resolve) => (releaseSlow = resolve));
    if (mode === 'database-down' && context.attempt <= 6) {
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    }
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

const placed = (orderId: string = randomUUID()) =>
  createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'EUR',
    },
    { source: 'order' },
  );

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
    server = new SagaKafkaServer({
      kafka: testKafka('it-consumer'),
      groupId,
      dataSource,
      deadLetterTopic: dlq.name,
      topics: [topic.name],
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
    });
    app = await NestFactory.createMicroservice(ProbeModule, {
      strategy: server,
      logger: process.env.TEST_LOGS ? undefined : false,
    });
    app.useGlobalFilters(new PassErrorsThroughFilter());
    await app.listen();
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
    dataSource = await createTestDataSource(
      database.url,
      [],
      'CREATE TABLE applied (seq bigserial, event_id text NOT NULL, order_id uuid NOT NULL)',
    );
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

describe('SagaKafkaServer handlers', () => {
  @Controller()
  class OldVersionHandler {
    @OnEvent(ProductUpdatedV1)
    onProductUpdated() {
      return undefined;
    }
  }

  @Module({ controllers: [OldVersionHandler] })
  class OldVersionModule {}

  it('refuses a handler for a version that is read as a newer one (it would never be called)', async () => {
    // Arrange
    const server = new SagaKafkaServer({
      kafka: testKafka('it-old-version'),
      groupId: `it-old-${randomUUID()}`,
      dataSource: {} as DataSource,
      deadLetterTopic: 'unused',
    });
    const app = await NestFactory.createMicroservice(OldVersionModule, { strategy: server, logger: false });

    // Act + Assert
    await expect(app.listen()).rejects.toThrow(
      '@OnEvent handler for catalog.product-updated.v1: records of it are read as catalog.product-updated.v2',
    );
    await app.close();
  });
});
