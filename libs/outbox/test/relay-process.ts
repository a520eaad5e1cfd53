/**
 * A relay in a process of its own, for the test that kills the leader with SIGKILL: started with
 * DATABASE_URL, KAFKA_BROKERS, RELAY_NAME and RELAY_MODE (`notify`, the default, or `wal`); SIGTERM
 * stops it gracefully.
 */
import { Kafka, logLevel } from 'kafkajs';
import { OutboxRelay, type OutboxRelayOptions } from '../src/outbox-relay';
import { WalOutboxRelay } from '../src/wal-relay';

const name = process.env.RELAY_NAME ?? 'relay';
const options: OutboxRelayOptions = {
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
};
const relay = process.env.RELAY_MODE === 'wal' ? new WalOutboxRelay(options) : new OutboxRelay(options);

relay.start().then(
  () => console.log(`${name} started`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
