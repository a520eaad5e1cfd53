import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { OutboxRelay } from '@saga/outbox';
import type { ServiceConfig } from '../config';
import { kafkaClientConfig } from '../kafka/kafka-options';
import { SERVICE_CONFIG } from '../service-config.token';

/** Runs the service's outbox relay for the life of the app (leader or standby; see {@link OutboxRelay}). */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.relay = new OutboxRelay({
      databaseUrl: config.databaseUrl,
      kafka: new Kafka(kafkaClientConfig(config)),
      name: config.kafkaClientId,
      batchSize: config.outboxBatchSize,
      retentionMs: config.outboxRetentionMs,
      topicPrefix: config.kafkaTopicPrefix,
      logger: new Logger(OutboxRelay.name),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.relay.start();
  }

  /** After the consumer has closed: outbox rows its last records wrote still go out from here. */
  onApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }
}
