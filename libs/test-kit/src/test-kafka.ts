import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** The Kafka bootstrap brokers tests use: `KAFKA_BROKERS`, else the local broker on `KAFKA_PORT` (9092). */
export function testBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS || `127.0.0.1:${env.KAFKA_PORT || 9092}`)
    .split(',')
    .map((broker) => broker.trim());
}

/**
 * The kafkajs `sasl`/`ssl` of the variables the services read (`KAFKA_SASL_MECHANISM`,
 * `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`, `KAFKA_SSL`, `KAFKA_SSL_CA_FILE`); empty for a PLAINTEXT
 * broker. The kit stands below @saga/platform, so it reads them itself, without the services' checks of
 * a bad combination; `test-kit-defaults.spec.ts` in @saga/testing shows it reads good ones as they do.
 */
export function testKafkaSecurity(env: NodeJS.ProcessEnv = process.env): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  const sasl =
    mechanism && username && password ? ({ mechanism, username, password } as SASLOptions) : undefined;
  const caFile = env.KAFKA_SSL_CA_FILE;
  const ssl = caFile ? { ca: [readFileSync(caFile, 'utf8')] } : env.KAFKA_SSL === 'true';
  return { ...(sasl ? { sasl } : {}), ...(ssl ? { ssl } : {}) };
}
