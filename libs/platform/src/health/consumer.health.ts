import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** What readiness needs of the consumer (SagaKafkaServer fits). */
export interface WatchedConsumer {
  health(): { consuming: boolean; reason?: string; stats: { applied: number; deadLettered: number } };
}

/**
 * Readiness of the Kafka consumer: down once it crashed for good (kafkajs gave up restarting it), so
 * an instance that silently stopped consuming is taken out of service instead of looking healthy.
 */
@Injectable()
export class ConsumerHealthIndicator {
  private consumer?: WatchedConsumer;

  constructor(private readonly indicators: HealthIndicatorService) {}

  /** Called at boot with the app's consumer. */
  watch(consumer: WatchedConsumer): void {
    this.consumer = consumer;
  }

  check(key: string) {
    const indicator = this.indicators.check(key);
    if (!this.consumer) return indicator.down({ message: 'no consumer attached' });
    const { consuming, reason, stats } = this.consumer.health();
    const report = { applied: stats.applied, deadLettered: stats.deadLettered };
    return consuming ? indicator.up(report) : indicator.down({ ...report, message: `stopped: ${reason}` });
  }
}
