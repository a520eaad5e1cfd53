import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * The producer every publisher of the platform uses (outbox relay, dead letters, replays): idempotent,
 * one request in flight so a retry cannot reorder a partition, no topic auto-creation, and the
 * Java-compatible murmur2 partitioner, so a key lands on the same partition as from any Kafka client.
 * Send with `acks: -1`.
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
