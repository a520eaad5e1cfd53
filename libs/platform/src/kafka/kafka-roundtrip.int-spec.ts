import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, type Admin, type KafkaMessage } from 'kafkajs';
import { waitFor } from '@saga/common';
import { testBrokers } from '@saga/test-kit';
import { loadServiceConfig } from '../config';
import { kafkaClientConfig } from './kafka-options';

describe('Kafka through the platform client settings (real broker)', () => {
  const config = loadServiceConfig('order', {
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_CLIENT_ID: 'it-roundtrip',
  });
  const kafka = new Kafka(kafkaClientConfig(config));
  const topic = `it.roundtrip.${randomUUID()}`;
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('produces a record with key and headers and consumes it back unchanged', async () => {
    // Arrange
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `it-roundtrip-${randomUUID()}` });
    const received: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push(message);
        return Promise.resolve();
      },
    });
    await producer.connect();

    // Act
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'order-1', value: '{"hello":"kafka"}', headers: { ce_type: 'test.roundtrip.v1' } }],
    });
    const [message] = await waitFor(() => received.length > 0 && received, {
      timeoutMs: 20_000,
      what: `a record on ${topic}`,
    });
    await Promise.all([producer.disconnect(), consumer.disconnect()]);

    // Assert
    expect(message.key?.toString()).toBe('order-1');
    expect(message.value?.toString()).toBe('{"hello":"kafka"}');
    expect(message.headers?.ce_type?.toString()).toBe('test.roundtrip.v1');
  });
});
