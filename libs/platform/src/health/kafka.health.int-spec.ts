import { HealthIndicatorService } from '@nestjs/terminus';
import { freePort, testBrokers } from '@saga/test-kit';
import { loadServiceConfig } from '../config';
import { KafkaHealthIndicator, clusterProbeFactoryProvider } from './kafka.health';

function indicatorFor(brokers: string[]): KafkaHealthIndicator {
  const config = loadServiceConfig('order', { KAFKA_BROKERS: brokers.join(',') });
  return new KafkaHealthIndicator(
    new HealthIndicatorService(),
    clusterProbeFactoryProvider.useFactory(config),
  );
}

describe('KafkaHealthIndicator with the real kafkajs admin client', () => {
  it('is up against the real broker', async () => {
    // Arrange
    const indicator = indicatorFor(testBrokers());

    // Act
    const result = await indicator.check('kafka');
    await indicator.onApplicationShutdown();

    // Assert
    expect(result).toMatchObject({ kafka: { status: 'up', brokers: 1 } });
  });

  it('is down, within its timeout, when nothing listens on the broker address', async () => {
    // Arrange
    const indicator = indicatorFor([`127.0.0.1:${await freePort()}`]);
    const started = Date.now();

    // Act
    const result = await indicator.check('kafka', 2000);
    await indicator.onApplicationShutdown();

    // Assert
    expect(result.kafka.status).toBe('down');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
