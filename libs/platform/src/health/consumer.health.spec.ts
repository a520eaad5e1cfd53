import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerHealthIndicator, type WatchedConsumer } from './consumer.health';

const consumer = (consuming: boolean, reason?: string): WatchedConsumer => ({
  health: () => ({ consuming, reason, stats: { applied: 7, deadLettered: 1 } }),
});

describe('ConsumerHealthIndicator', () => {
  it('is up while the consumer consumes, with its counts', () => {
    // Arrange
    const indicator = new ConsumerHealthIndicator(new HealthIndicatorService());
    indicator.watch(consumer(true));

    // Act + Assert
    expect(indicator.check('consumer')).toEqual({ consumer: { status: 'up', applied: 7, deadLettered: 1 } });
  });

  it('is down once the consumer crashed for good, with the reason', () => {
    // Arrange
    const indicator = new ConsumerHealthIndicator(new HealthIndicatorService());
    indicator.watch(consumer(false, 'group authorization failed'));

    // Act + Assert
    expect(indicator.check('consumer')).toEqual({
      consumer: {
        status: 'down',
        applied: 7,
        deadLettered: 1,
        message: 'stopped: group authorization failed',
      },
    });
  });

  it('is down when no consumer was attached at boot', () => {
    expect(new ConsumerHealthIndicator(new HealthIndicatorService()).check('consumer').consumer.status).toBe(
      'down',
    );
  });
});
