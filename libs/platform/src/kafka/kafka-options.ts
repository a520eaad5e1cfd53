import { logLevel, type KafkaConfig } from 'kafkajs';
import type { ServiceConfig } from '../config';

/** The kafkajs client settings every Kafka client of a service shares, SASL and TLS included. */
export function kafkaClientConfig(config: ServiceConfig): KafkaConfig {
  return {
    clientId: config.kafkaClientId,
    brokers: [...config.kafkaBrokers],
    ...config.kafkaSecurity,
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
  };
}
