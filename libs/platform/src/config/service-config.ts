import { z } from 'zod';
import {
  ADDED_SERVICES,
  type AddedService,
  type AddedServiceName,
  type PlatformServiceName,
} from '@saga/contracts';
import { databaseRole, roleDatabaseUrl } from './database-role';
import {
  checkKafkaSecurityEnv,
  kafkaSecurityEnvShape,
  kafkaSecurityOf,
  type KafkaSecurity,
} from './kafka-security';
import { authEnvShape, authSettingsOf, checkAuthEnv, type AuthSettings } from './auth-settings';
import { parseEnv } from './parse-env';

/** The validated configuration every service boots with. Built only by {@link loadServiceConfig}. */
export interface ServiceConfig {
  /** Which service this process is. */
  readonly service: PlatformServiceName;
  /** HTTP port (`PORT`). */
  readonly port: number;
  /** Interface the HTTP server binds to (`HOST`); `0.0.0.0` inside containers. */
  readonly host: string;
  /**
   * Connection URL of the service's own database (`DATABASE_URL`); by default as its own role, which
   * can reach no other database: `postgres://order_service@127.0.0.1:55432/order_service`.
   */
  readonly databaseUrl: string;
  /** Maximum connections in the request path's database pool (`DATABASE_POOL_SIZE`). */
  readonly databasePoolSize: number;
  /** Maximum connections in the consumer's and periodic jobs' pool (`DATABASE_BACKGROUND_POOL_SIZE`). */
  readonly databaseBackgroundPoolSize: number;
  /** Kafka bootstrap brokers as `host:port` (`KAFKA_BROKERS`, comma-separated). */
  readonly kafkaBrokers: readonly string[];
  /** Kafka client id (`KAFKA_CLIENT_ID`). */
  readonly kafkaClientId: string;
  /**
   * Consumer group (`KAFKA_GROUP_ID`, default `<KAFKA_TOPIC_PREFIX><service>-service`): every instance
   * of one service shares it.
   */
  readonly kafkaGroupId: string;
  /**
   * Prepended to every topic name (`KAFKA_TOPIC_PREFIX`, default empty): isolates copies of the
   * platform that share a broker, such as parallel end-to-end tests.
   */
  readonly kafkaTopicPrefix: string;
  /**
   * How long the group waits for a silent consumer before it gives its partitions to another instance
   * (`KAFKA_SESSION_TIMEOUT_MS`, default 10 s): the stall of a crashed instance's partitions.
   */
  readonly kafkaSessionTimeoutMs: number;
  /**
   * SASL and TLS of every Kafka client (`KAFKA_SASL_MECHANISM` scram-sha-256, scram-sha-512 or plain,
   * `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`, `KAFKA_SSL`, `KAFKA_SSL_CA_FILE`); unset for a
   * PLAINTEXT broker. Holds the password: never log it.
   */
  readonly kafkaSecurity?: KafkaSecurity;
  /** The least severe log level printed (`LOG_LEVEL`: debug, log, warn or error; default log). */
  readonly logLevel: 'debug' | 'log' | 'warn' | 'error';
  /**
   * How log lines are written (`LOG_FORMAT`): `json` (default), one JSON object a line with the order
   * id and trace id of saga work, for a log pipeline; `pretty`, coloured lines for a terminal (`npm run demo`).
   */
  readonly logFormat: 'json' | 'pretty';
  /**
   * Where traces go (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:4318`): spans are sent over
   * OTLP/HTTP to `<endpoint>/v1/traces`. Unset, no span leaves the process (trace ids still reach the
   * logs and the Kafka headers).
   */
  readonly otlpEndpoint?: string;
  /**
   * The share of new traces recorded (`OTEL_TRACES_SAMPLER_ARG`, 0–1, default 1). A trace begun
   * upstream keeps its parent's decision, so a saga is recorded whole or not at all.
   */
  readonly traceSampleRatio: number;
  /**
   * How the outbox is published (`OUTBOX_RELAY`): `notify`, the polling relay woken by NOTIFY (default),
   * or `wal`, the relay that reads the WAL through a logical replication slot (docs/adr/0016).
   */
  readonly outboxRelay: 'notify' | 'wal';
  /** Rows the outbox relay publishes per round (`OUTBOX_BATCH_SIZE`). */
  readonly outboxBatchSize: number;
  /** How long published outbox rows are kept (`OUTBOX_RETENTION_HOURS`, default 0: deleted once published), in ms. */
  readonly outboxRetentionMs: number;
  /** How long inbox entries are kept (`INBOX_RETENTION_HOURS`), in ms: longer than any redelivery. */
  readonly inboxRetentionMs: number;
  /**
   * Origins whose pages may read this service's GET endpoints (`CORS_ORIGINS`, comma-separated; default
   * the order service's dashboard, `http://127.0.0.1:3001`): the dashboard's browser reads every service.
   */
  readonly corsOrigins: readonly string[];
  /**
   * **Unsafe; the benchmark's baseline only** (`SAGA_UNSAFE_DIRECT_PUBLISH=true`, default false): events
   * are sent straight after commit instead of through the outbox, and consumed records skip the inbox —
   * the dual write the platform exists to prevent. It prices exactly-once effects (docs/performance.md).
   */
  readonly unsafeDirectPublish: boolean;
  /** How bearer tokens are verified (`AUTH_*`): see {@link AuthSettings}. */
  readonly auth: AuthSettings;
}

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const brokerList = z
  .string()
  .transform((raw) => raw.split(',').map((broker) => broker.trim()))
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must be a comma-separated list of host:port')).min(1));

const postgresUrl = z.string().refine((raw) => /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(raw), {
  message: 'must be a postgres:// URL that names a database',
});

const originList = z
  .string()
  .transform((raw) => raw.split(',').map((origin) => origin.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s,]+$/, 'must be a comma-separated list of origins (http://host:port)'),
      )
      .min(1),
  );

/** Default HTTP port of each service: the four's as docs/design.md assigns them, then the added services'. */
export const DEFAULT_PORTS: Readonly<Record<PlatformServiceName, number>> = {
  order: 3001,
  payment: 3002,
  inventory: 3003,
  notification: 3004,
  ...(Object.fromEntries(
    Object.entries(ADDED_SERVICES as Readonly<Record<string, AddedService>>).map(([name, { port }]) => [
      name,
      port,
    ]),
  ) as Record<AddedServiceName, number>),
};

/** Default PostgreSQL server (no database); each service appends its own database name. */
export const DEFAULT_POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:55432';

/** The database a service owns: `order` → `order_service`. */
export function databaseName(service: PlatformServiceName): string {
  return `${service}_service`;
}

function schemaFor(service: PlatformServiceName) {
  return z
    .object({
      PORT: port.default(DEFAULT_PORTS[service]),
      HOST: z.string().min(1).default('127.0.0.1'),
      DATABASE_URL: postgresUrl.default(
        roleDatabaseUrl(DEFAULT_POSTGRES_SERVER, databaseRole(service), databaseName(service)),
      ),
      DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
      DATABASE_BACKGROUND_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(4),
      KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
      KAFKA_CLIENT_ID: z.string().min(1).default(`${service}-service`),
      KAFKA_GROUP_ID: z.string().min(1).optional(),
      KAFKA_TOPIC_PREFIX: z
        .string()
        .regex(/^[A-Za-z0-9._-]{0,100}$/, 'must be letters, digits, dots, dashes or underscores')
        .default(''),
      KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
      ...kafkaSecurityEnvShape,
      LOG_LEVEL: z
        .enum(['debug', 'log', 'warn', 'error'], { error: 'must be debug, log, warn or error' })
        .default('log'),
      LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
      OTEL_EXPORTER_OTLP_ENDPOINT: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4318' })
        .optional(),
      OTEL_TRACES_SAMPLER_ARG: z.coerce
        .number({ error: 'must be a number' })
        .min(0, 'must be between 0 and 1')
        .max(1, 'must be between 0 and 1')
        .default(1),
      OUTBOX_RELAY: z.enum(['notify', 'wal'], { error: 'must be notify or wal' }).default('notify'),
      OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
      OUTBOX_RETENTION_HOURS: z.coerce.number().min(0).default(0),
      INBOX_RETENTION_HOURS: z.coerce.number().min(1).default(168),
      CORS_ORIGINS: originList.default([`http://127.0.0.1:${DEFAULT_PORTS.order}`]),
      SAGA_UNSAFE_DIRECT_PUBLISH: z
        .enum(['true', 'false'], { error: 'must be true or false' })
        .default('false'),
      ...authEnvShape,
    })
    .superRefine(checkAuthEnv)
    .superRefine(checkKafkaSecurityEnv)
    .transform((env): ServiceConfig => ({
      service,
      port: env.PORT,
      host: env.HOST,
      databaseUrl: env.DATABASE_URL,
      databasePoolSize: env.DATABASE_POOL_SIZE,
      databaseBackgroundPoolSize: env.DATABASE_BACKGROUND_POOL_SIZE,
      kafkaBrokers: env.KAFKA_BROKERS,
      kafkaClientId: env.KAFKA_CLIENT_ID,
      // A topic prefix namespaces the consumer group too, so two copies never share a group.
      kafkaGroupId: env.KAFKA_GROUP_ID ?? `${env.KAFKA_TOPIC_PREFIX}${service}-service`,
      kafkaTopicPrefix: env.KAFKA_TOPIC_PREFIX,
      kafkaSessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      kafkaSecurity: kafkaSecurityOf(env),
      logLevel: env.LOG_LEVEL,
      logFormat: env.LOG_FORMAT,
      ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
      traceSampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
      outboxRelay: env.OUTBOX_RELAY,
      outboxBatchSize: env.OUTBOX_BATCH_SIZE,
      outboxRetentionMs: env.OUTBOX_RETENTION_HOURS * 3600_000,
      inboxRetentionMs: env.INBOX_RETENTION_HOURS * 3600_000,
      corsOrigins: env.CORS_ORIGINS,
      unsafeDirectPublish: env.SAGA_UNSAFE_DIRECT_PUBLISH === 'true',
      auth: authSettingsOf(env),
    }));
}

/**
 * Reads and validates a service's configuration from the environment. Fails fast with a
 * {@link ConfigError} naming each bad variable; never returns a partly valid config.
 */
export function loadServiceConfig(
  service: PlatformServiceName,
  env: Record<string, string | undefined> = process.env,
): ServiceConfig {
  return parseEnv(schemaFor(service), env);
}
