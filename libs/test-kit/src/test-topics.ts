import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { testBrokers, testKafkaSecurity } from './test-kafka';

/**
 * A kafkajs client for tests and the audit, quiet unless something is really wrong. SASL/TLS come from
 * `KAFKA_SASL_*` and `KAFKA_SSL*` as the services read them (unset for the local broker).
 */
export function testKafka(clientId = 'saga-test'): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), ...testKafkaSecurity(), logLevel: logLevel.ERROR });
}

/** Creates a topic of its own for one test (deleted by the returned function). */
export async function createTestTopic(
  label: string,
  partitions = 3,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `test.${label}.${randomUUID().slice(0, 8)}`;
  const admin = testKafka().admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions }] });
  await admin.disconnect();
  return {
    name,
    remove: async () => {
      const cleanup = testKafka().admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [name] }).catch(() => undefined);
      await cleanup.disconnect();
    },
  };
}

/** A received record with where it came from. */
export interface CollectedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Consumes `topics` from the beginning into an array until `stop()` (a fresh group each time). */
export async function collectRecords(
  topics: string[],
): Promise<{ records: CollectedRecord[]; stop: () => Promise<void> }> {
  const records: CollectedRecord[] = [];
  const consumer = testKafka().consumer({ groupId: `test-collector-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      records.push({ topic, partition, message });
      return Promise.resolve();
    },
  });
  return { records, stop: () => consumer.disconnect() };
}
