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
import {
  OutboxRelay,
  WalOutboxRelay,
  enableUnsafeDirectPublish,
  outboxBacklog,
  writeOutboxForWalRelay,
} from '@saga/outbox';
import { requireLogicalReplication } from './logical-replication';
import { TELEMETRY, type Telemetry } from '../observability/telemetry';
import type { ServiceConfig } from '../config';
import { kafkaClientConfig } from '../kafka/kafka-options';
import { SERVICE_CONFIG } from '../service-config.token';

/**
 * Runs the service's outbox relay for the life of the app (leader or standby): the polling
 * {@link OutboxRelay}, or with `OUTBOX_RELAY=wal` the {@link WalOutboxRelay}, which needs a server with
 * `wal_level=logical` and a role that may replicate (checked at boot, with the fix in the message).
 * In the benchmark's unsafe baseline (`SAGA_UNSAFE_DIRECT_PUBLISH`) it also connects the producer that
 * sends events straight after commit.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay | WalOutboxRelay;
  private direct?: Producer;
  private readonly logger = new Logger(OutboxRelayService.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    @InjectDataSource(BACKGROUND_DATA_SOURCE) private readonly background: DataSource,
    @Inject(TELEMETRY) telemetry: Telemetry,
  ) {
    const Relay = config.outboxRelay === 'wal' ? WalOutboxRelay : OutboxRelay;
    this.relay = new Relay({
      databaseUrl: config.databaseUrl,
      kafka: new Kafka(kafkaClientConfig(config)),
      name: config.kafkaClientId,
      batchSize: config.outboxBatchSize,
      retentionMs: config.outboxRetentionMs,
      topicPrefix: config.kafkaTopicPrefix,
      logger: new Logger(Relay.name),
      tracer: telemetry.tracer,
      observer: telemetry.metrics.relayObserver(),
    });
    telemetry.metrics.watchOutbox(() => outboxBacklog(dataSource));
    const relay = this.relay;
    if (relay instanceof WalOutboxRelay) telemetry.metrics.watchSlot(() => relay.lag());
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
    if (this.config.outboxRelay === 'wal') {
      await requireLogicalReplication(this.dataSource);
      for (const dataSource of [this.dataSource, this.background]) writeOutboxForWalRelay(dataSource);
    }
    await this.relay.start();
  }

  /** After the consumer has closed: outbox rows its last records wrote still go out from here. */
  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.direct?.disconnect();
  }
}
