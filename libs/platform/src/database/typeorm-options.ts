import type { Tracer } from '@opentelemetry/api';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { MixedList, EntitySchema } from 'typeorm';
import { CreateInbox1795300000002 } from '@saga/inbox';
import { CreateOutbox1795300000001 } from '@saga/outbox';
import { databaseNameOf } from '../config/database-name-of';
import type { ServiceConfig } from '../config';
import { tracedPgClient } from '../observability/traced-pg-client';
import { AfterCommitSubscriber } from './after-commit';

/** What a service tells the platform about its schema. */
export interface DatabaseDefinition {
  /** TypeORM entities of the service. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
  readonly entities: MixedList<Function | string | EntitySchema>;
  /** Migration classes, listed explicitly (no globs: they survive bundling and are reviewed in one place). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  readonly migrations: MixedList<Function | string>;
}

/**
 * The name of a service's second connection pool, for its background work: the Kafka consumer's
 * transactions and the periodic jobs. The request path keeps the default pool to itself, so a backlog of
 * records (or a consumer stuck behind a lock) can never take the connections an HTTP request waits for.
 * Inject it with `@InjectDataSource(BACKGROUND_DATA_SOURCE)`.
 */
export const BACKGROUND_DATA_SOURCE = 'background';

/**
 * TypeORM options for a service's own database. Migrations run at boot, each in its own transaction;
 * `synchronize` is never on, so the schema is exactly what the migrations say. With a `tracer`, the
 * statements of traced work are spans of their own. `pool`: the request path's (default, which runs the
 * migrations) or the background work's ({@link BACKGROUND_DATA_SOURCE}, `DATABASE_BACKGROUND_POOL_SIZE`).
 */
export function typeOrmOptions(
  config: ServiceConfig,
  database: DatabaseDefinition,
  tracer?: Tracer,
  pool: 'requests' | 'background' = 'requests',
): TypeOrmModuleOptions {
  const background = pool === 'background';
  return {
    type: 'postgres',
    ...(background ? { name: BACKGROUND_DATA_SOURCE } : {}),
    url: config.databaseUrl,
    entities: database.entities,
    subscribers: [AfterCommitSubscriber],
    // The platform's own tables come first; each service adds its own migrations after them.
    migrations: background
      ? []
      : [CreateOutbox1795300000001, CreateInbox1795300000002, ...(database.migrations as [])],
    migrationsRun: !background,
    migrationsTransactionMode: 'each',
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    retryAttempts: 5,
    retryDelay: 1000,
    extra: {
      max: background ? config.databaseBackgroundPoolSize : config.databasePoolSize,
      // Connections kept open through a quiet spell (pg-pool closes the rest after 10 s idle): a burst
      // after one would otherwise open a backend per request, each a fork and a cold catalog cache
      // (tens of ms on a busy machine), just when the service is at its busiest.
      min: Math.min(4, background ? config.databaseBackgroundPoolSize : config.databasePoolSize),
      application_name: background ? `${config.kafkaClientId}-background` : config.kafkaClientId,
      // A request that finds no free connection this fast is answered 503 (ProblemDetailsFilter), well
      // within a client's timeout; background work retries.
      connectionTimeoutMillis: background ? 5000 : 2000,
      ...(tracer ? { Client: tracedPgClient(tracer, databaseNameOf(config.databaseUrl)) } : {}),
    },
  };
}
