import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BACKGROUND_DATA_SOURCE } from '../database/typeorm-options';
import { deadLetterTopic, type PlatformServiceName } from '@saga/contracts';
import { ConfigError, loadServiceConfig, type ServiceConfig } from '../config';
import { SagaKafkaServer } from '@saga/messaging';
import { requireAuthKey } from '../auth/require-auth-key';
import { ConsumerHealthIndicator } from '../health/consumer.health';
import { kafkaClientConfig } from '../kafka/kafka-options';
import { configureHttp } from '../http/configure-http';
import { DocsController, OPENAPI_DOCUMENT } from '../openapi/docs.controller';
import { serviceDocument, type ServiceApi } from '../openapi/service-document';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import {
  ObservabilityModule,
  createTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from '../observability';

/** How a service is assembled: its name and its root module for a given config. */
export interface ServiceDefinition {
  /** Which service: one of the four, or one added with `npm run generate:service`. */
  readonly name: PlatformServiceName;
  /**
   * The service's root module, built for a validated config. `env` is there for the settings only this
   * service has (say, SMTP for notification), which it validates itself with {@link parseEnv}.
   */
  readonly module: (config: ServiceConfig, env: Record<string, string | undefined>) => DynamicModule;
  /**
   * The service's own HTTP operations, described with the zod schemas its controllers validate with:
   * its OpenAPI document (`/docs`, docs/openapi/) is these and the platform's. None: the platform's only.
   */
  readonly api?: ServiceApi;
}

/** A running service and the config it runs with. */
export interface RunningService {
  readonly app: INestApplication;
  readonly config: ServiceConfig;
  /** The HTTP base URL it listens on (the real port when `PORT=0`). */
  readonly url: string;
  /** Its Kafka consumer (the event types it handles, its stats). */
  readonly consumer: SagaKafkaServer;
  /** Its tracer, metrics and logger. */
  readonly telemetry: Telemetry;
}

/** The app's root: the service's own module, under its telemetry, and its API's document at `/docs`. */
@Module({})
class ServiceRootModule {
  static of(service: DynamicModule, telemetry: Telemetry, definition: ServiceDefinition): DynamicModule {
    return {
      module: ServiceRootModule,
      imports: [ObservabilityModule.forService(telemetry), service],
      controllers: [DocsController],
      providers: [{ provide: OPENAPI_DOCUMENT, useValue: serviceDocument(definition.name, definition.api) }],
    };
  }
}

/**
 * Boots a service as a hybrid app (HTTP + Kafka consumer): validates config, opens the database and
 * runs migrations, starts the outbox relay, joins the consumer group with the saga's Kafka strategy
 * (inbox, retries, dead letters), then listens. Rejects without leaving anything open.
 */
export async function startService(
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
  telemetryOptions: TelemetryOptions = {},
): Promise<RunningService> {
  const config = loadServiceConfig(definition.name, env);
  requireAuthKey(config);
  const telemetry = createTelemetry(config, telemetryOptions);
  const app = await NestFactory.create(
    ServiceRootModule.of(definition.module(config, env), telemetry, definition),
    {
      abortOnError: false,
      bufferLogs: true, // until the service's own logger takes over, just below
      bodyParser: false, // our own, with a size limit and problem+json errors (see configureHttp)
    },
  ).catch(async (error: unknown) => {
    await telemetry.shutdown();
    throw error;
  });
  app.useLogger(app.get(PinoNestLogger));
  let consumer: SagaKafkaServer;
  try {
    configureHttp(app);
    consumer = new SagaKafkaServer({
      kafka: new Kafka(kafkaClientConfig(config)),
      groupId: config.kafkaGroupId,
      service: config.service,
      dataSource: app.get<string, DataSource>(getDataSourceToken(BACKGROUND_DATA_SOURCE)),
      deadLetterTopic: `${config.kafkaTopicPrefix}${deadLetterTopic(config.service).name}`,
      topicPrefix: config.kafkaTopicPrefix,
      sessionTimeoutMs: config.kafkaSessionTimeoutMs,
      inboxRetentionMs: config.inboxRetentionMs,
      unsafeSkipInbox: config.unsafeDirectPublish,
      tracer: telemetry.tracer,
      observer: telemetry.metrics.consumerObserver(),
    });
    app.get(ConsumerHealthIndicator).watch(consumer);
    telemetry.metrics.watchConsumer(() => consumer.lag());
    app.connectMicroservice<MicroserviceOptions>({ strategy: consumer }, { inheritAppConfig: true });
    app.enableShutdownHooks();
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, config, consumer, telemetry, url: `http://${config.host}:${address.port}` };
}

/** Entry point of a service's `main.ts`: starts it, or explains why not and exits non-zero. */
export function runService(definition: ServiceDefinition): void {
  const logger = new Logger(`${definition.name}-service`);
  startService(definition).then(
    ({ url }) => logger.log(`listening on ${url}`),
    (error: unknown) => {
      logger.error(error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error)));
      process.exit(1);
    },
  );
}
