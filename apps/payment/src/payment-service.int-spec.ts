import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  OrderCancellationRequestedV1,
  OrderPlacedV1,
  TOPICS,
  createEvent,
  deadLetterTopic,
  fromKafkaRecord,
  toKafkaRecord,
  type EventEnvelope,
} from '@saga/contracts';
import { startService, type RunningService } from '@saga/platform';
import { waitFor } from '@saga/common';
import {
  collectRecords,
  createTestDatabase,
  testBearer,
  testBrokers,
  testKafka,
  testTokenIssuer,
  type TestDatabase,
} from '@saga/test-kit';
import { paymentService } from './app.module';

/** The payment service as it runs: seeded at boot, answering saga events from Kafka through its outbox. */
describe('payment service (real PostgreSQL and Kafka)', () => {
  const prefix = `test-payment-${randomBytes(4).toString('hex')}.`;
  const topics = [
    TOPICS.orderEvents,
    TOPICS.inventoryEvents,
    TOPICS.paymentEvents,
    deadLetterTopic('payment'),
  ].map((topic) => `${prefix}${topic.name}`);
  const admin = testKafka().admin();
  const producer = testKafka().producer();
  let database: TestDatabase;
  let service: RunningService;
  let published: Awaited<ReturnType<typeof collectRecords>>;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
    });
    await producer.connect();
    published = await collectRecords([`${prefix}${TOPICS.paymentEvents.name}`]);
    database = await createTestDatabase('payment_service');
    service = await startService(paymentService, {
      PORT: '0',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_GROUP_ID: `${database.name}-group`,
      KAFKA_TOPIC_PREFIX: prefix,
      ...testTokenIssuer().serviceEnv(),
    });
  });

  afterAll(async () => {
    await service?.app.close();
    await published?.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await database?.drop();
  });

  const send = async (event: EventEnvelope) => {
    const record = toKafkaRecord(event);
    await producer.send({ topic: `${prefix}${record.topic}`, messages: [record] });
  };

  const publishedFor = (orderId: string, count: number) =>
    waitFor(
      () => {
        const events = published.records
          .map(({ message }) => fromKafkaRecord(TOPICS.paymentEvents.name, message))
          .filter((event) => event.key === orderId);
        return events.length >= count ? events : undefined;
      },
      { timeoutMs: 30_000, what: `${count} payment events for order ${orderId}` },
    );

  const balanceOf = async (customerId: string) =>
    (
      await request(service.url)
        .get(`/accounts/${customerId}`)
        .set('authorization', await testBearer())
    ).body as unknown;

  it('charges a placed order and refunds it on cancellation, answering with the demo accounts', async () => {
    // Arrange
    const orderId = randomUUID();
    const placed = createEvent(
      OrderPlacedV1,
      {
        orderId,
        customerId: 'alice',
        items: [{ sku: 'MOUSE-01', quantity: 2, unitPriceCents: 2900 }],
        totalCents: 5800,
        currency: 'EUR',
      },
      { source: 'test' },
    );
    const cancelled = createEvent(
      OrderCancellationRequestedV1,
      { orderId, customerId: 'alice', reason: 'changed my mind' },
      { source: 'test', causedBy: placed },
    );

    // Act
    await send(placed);
    await publishedFor(orderId, 1);
    const charged = await balanceOf('alice');
    await send(cancelled);
    const events = await publishedFor(orderId, 2);
    const refunded = await balanceOf('alice');

    // Assert
    expect(events.map((event) => [event.type, event.correlationId])).toEqual([
      ['payment.authorized.v1', placed.id],
      ['payment.refunded.v1', placed.id],
    ]);
    expect(charged).toEqual({ customerId: 'alice', balanceCents: 100000 - 5800, currency: 'EUR' });
    expect(refunded).toEqual({ customerId: 'alice', balanceCents: 100000, currency: 'EUR' });
  });
});
