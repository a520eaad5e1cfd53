import { Transport, type KafkaOptions } from '@nestjs/microservices';
import { Partitioners, logLevel, type KafkaConfig } from 'kafkajs';
import type { ServiceConfig } from '../config';

/** The kafkajs client settings every Kafka client of a service shares. */
export function kafkaClientConfig(config: ServiceConfig): KafkaConfig {
  return {
    clientId: config.kafkaClientId,
    brokers: [...config.kafkaBrokers],
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
  };
}

/**
 * Options for the Kafka side of the hybrid app. `postfixId: ''` keeps the client and group ids as
 * configured instead of Nest's default `-server` suffix, so they read the same in Kafka's tools.
 */
export function kafkaMicroserviceOptions(config: ServiceConfig): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: kafkaClientConfig(config),
      consumer: { groupId: config.kafkaGroupId, allowAutoTopicCreation: false },
      // The Java-compatible murmur2 partitioner: a key lands on the same partition as from any Kafka client.
      producer: { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false },
      subscribe: { fromBeginning: true },
    },
  };
}
