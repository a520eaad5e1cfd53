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
 * TypeORM options for a service's own database. Migrations run at boot, each in its own transaction;
 * `synchronize` is never on, so the schema is exactly what the migrations say. With a `tracer`, the
 * statements of traced work are spans of their own.
 */
export function typeOrmOptions(
  config: ServiceConfig,
  database: DatabaseDefinition,
  tracer?: Tracer,
): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: database.entities,
    subscribers: [AfterCommitSubscriber],
    // The platform's own tables come first; each service adds its own migrations after them.
    migrations: [CreateOutbox1795300000001, CreateInbox1795300000002, ...(database.migrations as [])],
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    retryAttempts: 5,
    retryDelay: 1000,
    extra: {
      max: config.databasePoolSize,
      application_name: config.kafkaClientId,
      connectionTimeoutMillis: 5000,
      ...(tracer ? { Client: tracedPgClient(tracer, databaseNameOf(config.databaseUrl)) } : {}),
    },
  };
}
