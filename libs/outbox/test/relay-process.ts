/**
 * A relay in a process of its own, for the test that kills the leader with SIGKILL: started with
 * DATABASE_URL, KAFKA_BROKERS and RELAY_NAME; SIGTERM stops it gracefully.
 */
import { Kafka, logLevel } from 'kafkajs';
import { OutboxRelay } from '../src/outbox-relay';

const name = process.env.RELAY_NAME ?? 'relay';
const relay = new OutboxRelay({
  databaseUrl: process.env.DATABASE_URL!,
  kafka: new Kafka({
    clientId: name,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.ERROR,
  }),
  name,
  batchSize: Number(process.env.RELAY_BATCH_SIZE ?? 200),
  lockRetryMs: 100,
  logger: { log: (m) => console.log(m), warn: (m) => console.warn(m), error: (m) => console.error(m) },
});

relay.start().then(
  () => console.log(`${name} started`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
