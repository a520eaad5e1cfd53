import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { deadLetterTopic } from '@saga/contracts';
import type { ServiceConfig } from '../config';
import { SERVICE_CONFIG } from '../service-config.token';
import { KafkaHealthIndicator } from './kafka.health';

/**
 * The size of this service's dead-letter topic (`<KAFKA_TOPIC_PREFIX><service>.dlq`): the records
 * kept in it, high minus low watermark per partition. A report, not a condition: dead letters wait for
 * a person and the service goes on without them, so this check is always up. When Kafka does not
 * answer the count is null, and the `kafka` check is the one that fails.
 */
@Injectable()
export class DeadLetterHealthIndicator {
  private readonly topic: string;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.topic = `${config.kafkaTopicPrefix}${deadLetterTopic(config.service).name}`;
  }

  async check(key: string, timeoutMs = 2000) {
    const indicator = this.indicators.check(key);
    try {
      const count = await this.kafka.request(async (probe) => {
        // No topic yet means no dead letter yet; asking for its offsets would only fail.
        if (!(await probe.listTopics()).includes(this.topic)) return 0;
        const partitions = await probe.fetchTopicOffsets(this.topic);
        return partitions.reduce((sum, { high, low }) => sum + (Number(high) - Number(low)), 0);
      }, timeoutMs);
      return indicator.up({ topic: this.topic, count });
    } catch (error) {
      return indicator.up({
        topic: this.topic,
        count: null,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
