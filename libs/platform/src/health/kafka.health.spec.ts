import { HealthIndicatorService } from '@nestjs/terminus';
import type { ClusterProbe } from './kafka.health';
import { KafkaHealthIndicator } from './kafka.health';

function fakeProbe(describeCluster: ClusterProbe['describeCluster']): ClusterProbe & { connects: number } {
  const probe = {
    connects: 0,
    connect: () => {
      probe.connects += 1;
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
    describeCluster,
    listTopics: () => Promise.resolve([]),
    fetchTopicOffsets: () => Promise.resolve([]),
  };
  return probe;
}

const cluster = { brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }], controller: 1, clusterId: 'c' };

describe('KafkaHealthIndicator', () => {
  it('is up when the cluster answers, and reuses its connection', async () => {
    // Arrange
    const probe = fakeProbe(() => Promise.resolve(cluster));
    const indicator = new KafkaHealthIndicator(new HealthIndicatorService(), () => probe);

    // Act
    await indicator.check('kafka');
    const result = await indicator.check('kafka');

    // Assert
    expect(result).toEqual({ kafka: { status: 'up', brokers: 1, controller: 1 } });
    expect(probe.connects).toBe(1);
  });

  it('is down with the reason when the request fails, and reconnects next time', async () => {
    // Arrange
    const probe = fakeProbe(() => Promise.reject(new Error('Connection refused')));
    const indicator = new KafkaHealthIndicator(new HealthIndicatorService(), () => probe);

    // Act
    const first = await indicator.check('kafka');
    await indicator.check('kafka');

    // Assert
    expect(first).toEqual({ kafka: { status: 'down', message: 'Connection refused' } });
    expect(probe.connects).toBe(2);
  });

  it('opens one connection for concurrent checks', async () => {
    // Arrange
    const probe = fakeProbe(() => Promise.resolve(cluster));
    const indicator = new KafkaHealthIndicator(new HealthIndicatorService(), () => probe);

    // Act
    await Promise.all([indicator.check('kafka'), indicator.check('kafka'), indicator.check('kafka')]);

    // Assert
    expect(probe.connects).toBe(1);
  });

  it('is down when the broker does not answer within the timeout', async () => {
    // Arrange
    const probe = fakeProbe(() => new Promise(() => undefined));
    const indicator = new KafkaHealthIndicator(new HealthIndicatorService(), () => probe);

    // Act
    const result = await indicator.check('kafka', 20);

    // Assert
    expect(result).toEqual({ kafka: { status: 'down', message: 'no answer within 20 ms' } });
  });
});
