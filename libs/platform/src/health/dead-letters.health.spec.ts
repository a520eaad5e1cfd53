import { HealthIndicatorService } from '@nestjs/terminus';
import type { ServiceConfig } from '../config';
import { DeadLetterHealthIndicator } from './dead-letters.health';
import { KafkaHealthIndicator, type ClusterProbe } from './kafka.health';

type Offsets = Awaited<ReturnType<ClusterProbe['fetchTopicOffsets']>>;

function indicatorWith(probe: Partial<ClusterProbe>): DeadLetterHealthIndicator {
  const full: ClusterProbe = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    describeCluster: () => Promise.reject(new Error('not used')),
    listTopics: () => Promise.resolve([]),
    fetchTopicOffsets: () => Promise.resolve([]),
    ...probe,
  };
  const indicators = new HealthIndicatorService();
  const config = { service: 'payment', kafkaTopicPrefix: 'copy-1.' } as ServiceConfig;
  return new DeadLetterHealthIndicator(indicators, new KafkaHealthIndicator(indicators, () => full), config);
}

const partition = (high: string, low: string) => ({ partition: 0, offset: high, high, low });

describe('DeadLetterHealthIndicator', () => {
  it('counts the records kept in the prefixed dead-letter topic, over every partition', async () => {
    // Arrange
    const asked: string[] = [];
    const indicator = indicatorWith({
      listTopics: () => Promise.resolve(['copy-1.payment.dlq', 'payment.dlq']),
      fetchTopicOffsets: (topic: string) => {
        asked.push(topic);
        return Promise.resolve<Offsets>([partition('7', '2'), { ...partition('3', '0'), partition: 1 }]);
      },
    });

    // Act
    const result = await indicator.check('deadLetters');

    // Assert
    expect(result).toEqual({ deadLetters: { status: 'up', topic: 'copy-1.payment.dlq', count: 8 } });
    expect(asked).toEqual(['copy-1.payment.dlq']);
  });

  it('counts zero when the topic does not exist yet', async () => {
    // Arrange
    const indicator = indicatorWith({
      listTopics: () => Promise.resolve(['copy-1.order.events']),
      fetchTopicOffsets: () => Promise.reject(new Error('This server does not host this topic-partition')),
    });

    // Act
    const result = await indicator.check('deadLetters');

    // Assert
    expect(result).toEqual({ deadLetters: { status: 'up', topic: 'copy-1.payment.dlq', count: 0 } });
  });

  it('stays up with no count when Kafka does not answer: readiness fails on the kafka check alone', async () => {
    // Arrange
    const indicator = indicatorWith({ listTopics: () => Promise.reject(new Error('Connection refused')) });

    // Act
    const result = await indicator.check('deadLetters');

    // Assert
    expect(result).toEqual({
      deadLetters: { status: 'up', topic: 'copy-1.payment.dlq', count: null, message: 'Connection refused' },
    });
  });
});
