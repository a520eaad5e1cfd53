import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { OrderConfirmedV1, TOPICS, createEvent, deadLetterTopic, toKafkaRecord } from '@saga/contracts';
import { startService, type RunningService } from '@saga/platform';
import { waitFor } from '@saga/common';
import {
  createTestDatabase,
  startSmtpSink,
  testBearer,
  testBrokers,
  testKafka,
  testTokenIssuer,
  type SmtpSink,
  type TestDatabase,
} from '@saga/test-kit';
import { notificationService } from './app.module';

/**
 * The whole service, wired as it ships: an OrderConfirmed record on the real broker becomes exactly
 * one e-mail at the SMTP sink, whatever the redeliveries, and GET /notifications shows it SENT.
 */
describe('notification service (real Kafka, PostgreSQL and SMTP sink)', () => {
  const prefix = `it-notification-${randomBytes(3).toString('hex')}.`;
  const topics = [TOPICS.orderEvents.name, deadLetterTopic('notification').name].map((name) => prefix + name);
  let database: TestDatabase;
  let sink: SmtpSink;
  let service: RunningService;

  beforeAll(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic })) });
    await admin.disconnect();
    database = await createTestDatabase('notification_service');
    sink = await startSmtpSink();
    service = await startService(notificationService, {
      PORT: '0',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}notification`,
      SMTP_PORT: String(sink.port),
      MAIL_RECIPIENT_DOMAIN: 'customers.test',
      ...testTokenIssuer().serviceEnv(),
    });
  });

  afterAll(async () => {
    await service?.app.close();
    await sink?.close();
    await database?.drop();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('sends one e-mail for an order confirmed, redelivered and re-published', async () => {
    // Arrange
    const orderId = randomUUID();
    const data = { orderId, customerId: 'alice', totalCents: 11800, currency: 'EUR' };
    const first = toKafkaRecord(createEvent(OrderConfirmedV1, data, { source: 'test' }));
    const republished = toKafkaRecord(createEvent(OrderConfirmedV1, data, { source: 'test' }));
    const producer = testKafka().producer();
    await producer.connect();

    // Act
    for (const record of [first, first, republished]) {
      await producer.send({ topic: prefix + record.topic, messages: [record] });
    }
    await producer.disconnect();
    await waitFor(
      () => {
        const { stats } = service.consumer.health();
        return stats.applied + stats.duplicates >= 3 || undefined;
      },
      { timeoutMs: 30_000, what: 'all three records consumed' },
    );
    const mail = await sink.waitForMail((m) => m.headers['x-saga-order-id'] === orderId);
    const notifications = await waitFor(
      async () => {
        const response = await request(service.url)
          .get(`/notifications?orderId=${orderId}`)
          .set('authorization', await testBearer());
        return response.body[0]?.status === 'SENT' && (response.body as unknown[]);
      },
      { timeoutMs: 10_000, what: 'the notification SENT' },
    );

    // Assert
    expect(mail).toMatchObject({
      to: ['alice@customers.test'],
      subject: `Your order ${orderId} is confirmed`,
    });
    expect(notifications).toEqual([
      expect.objectContaining({ orderId, kind: 'ORDER_CONFIRMED', status: 'SENT', attempts: 1 }),
    ]);
    expect(sink.mails.filter((m) => m.headers['x-saga-order-id'] === orderId)).toHaveLength(1);
  });
});
