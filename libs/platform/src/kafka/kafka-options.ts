import { logLevel, type KafkaConfig } from 'kafkajs';
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
