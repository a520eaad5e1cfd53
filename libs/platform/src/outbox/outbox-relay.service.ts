import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BACKGROUND_DATA_SOURCE } from '../database/typeorm-options';
import { idempotentProducer } from '@saga/common';
import { OutboxRelay, enableUnsafeDirectPublish, outboxBacklog } from '@saga/outbox';
import { TELEMETRY, type Telemetry } from '../observability/telemetry';
import type { ServiceConfig } from '../config';
import { kafkaClientConfig } from '../kafka/kafka-options';
import { SERVICE_CONFIG } from '../service-config.token';

/**
 * Runs the service's outbox relay for the life of the app (leader or standby; see {@link OutboxRelay}).
 * In the benchmark's unsafe baseline (`SAGA_UNSAFE_DIRECT_PUBLISH`) it also connects the producer that
 * sends events straight after commit.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay;
  private direct?: Producer;
  private readonly logger = new Logger(OutboxRelayService.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    @InjectDataSource(BACKGROUND_DATA_SOURCE) private readonly background: DataSource,
    @Inject(TELEMETRY) telemetry: Telemetry,
  ) {
    this.relay = new OutboxRelay({
      databaseUrl: config.databaseUrl,
      kafka: new Kafka(kafkaClientConfig(config)),
      name: config.kafkaClientId,
      batchSize: config.outboxBatchSize,
      retentionMs: config.outboxRetentionMs,
      topicPrefix: config.kafkaTopicPrefix,
      logger: new Logger(OutboxRelay.name),
      tracer: telemetry.tracer,
      observer: telemetry.metrics.relayObserver(),
    });
    telemetry.metrics.watchOutbox(() => outboxBacklog(dataSource));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.unsafeDirectPublish) {
      this.logger.warn(
        'SAGA_UNSAFE_DIRECT_PUBLISH=true: events are sent after commit without the outbox, records skip the ' +
          'inbox; events can be lost or applied twice. For the benchmark baseline only.',
      );
      this.direct = idempotentProducer(new Kafka(kafkaClientConfig(this.config)));
      await this.direct.connect();
      // Both pools: the request path's writes and the consumer's (which runs on the background pool).
      for (const dataSource of [this.dataSource, this.background])
        enableUnsafeDirectPublish(dataSource, this.direct, this.config.kafkaTopicPrefix);
    }
    await this.relay.start();
  }

  /** After the consumer has closed: outbox rows its last records wrote still go out from here. */
  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.direct?.disconnect();
  }
}
