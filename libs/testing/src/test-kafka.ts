/** The Kafka bootstrap brokers tests use: `KAFKA_BROKERS`, else the local broker on `KAFKA_PORT` (9092). */
export function testBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS || `127.0.0.1:${env.KAFKA_PORT || 9092}`)
    .split(',')
    .map((broker) => broker.trim());
}
