import { eventHandlerFile, eventHandlers, useCaseClass } from './event-handler-files';
import type { ConsumedEvent, ProducedEvent, ServiceSpec } from './service-spec';
import { sagaTestFile } from './saga-test-file';

/** The files of a new service: `apps/<name>/…` and its end-to-end test, by repository path. */
export function serviceFiles(spec: ServiceSpec, migrationTimestamp: number): Record<string, string> {
  const app = `apps/${spec.name}`;
  const files: Record<string, string> = {
    [`${app}/tsconfig.app.json`]: tsconfigApp(spec),
    [`${app}/src/main.ts`]: mainFile(spec),
    [`${app}/src/app.module.ts`]: appModule(spec),
    [`${app}/src/app.module.spec.ts`]: appModuleSpec(spec),
    [`${app}/src/migrations/index.ts`]: migrationIndex(spec, migrationTimestamp),
    [`${app}/src/migrations/${migrationTimestamp}-${spec.name}-initial-schema.ts`]: migration(
      spec,
      migrationTimestamp,
    ),
    [`${app}/src/orders/order-progress.repository.ts`]: progressRepository(spec),
    [`test/${spec.name}/${spec.name}-saga.e2e-spec.ts`]: sagaTestFile(spec),
  };
  for (const handler of eventHandlers(spec)) {
    files[`${app}/src/orders/saga/${handler.file}.ts`] = eventHandlerFile(spec, handler);
  }
  spec.consumes.forEach((event, index) => {
    files[`${app}/src/orders/handle-${event.kebab}/handle-${event.kebab}.service.ts`] = useCase(
      spec,
      event,
      index === 0,
    );
  });
  for (const event of spec.produces) {
    files[`${app}/src/orders/${event.kebab}.ts`] = eventBuilder(spec, event);
    files[`${app}/src/orders/${event.kebab}.spec.ts`] = eventBuilderSpec(spec, event);
  }
  return files;
}

const migrationClass = (spec: ServiceSpec, timestamp: number) => `${spec.pascal}InitialSchema${timestamp}`;

function tsconfigApp(spec: ServiceSpec): string {
  return `${JSON.stringify(
    {
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: `../../dist/apps/${spec.name}` },
      include: ['src/**/*', '../../libs/*/src/**/*'],
      exclude: ['../../**/*spec.ts', '../../libs/testing'],
    },
    null,
    2,
  )}\n`;
}

function mainFile(spec: ServiceSpec): string {
  return `import { runService } from '@saga/platform';
import { ${spec.camel}Service } from './app.module';

runService(${spec.camel}Service);
`;
}

function appModule(spec: ServiceSpec): string {
  const useCases = spec.consumes.map(
    (event) =>
      `import { ${useCaseClass(event)} } from './orders/handle-${event.kebab}/handle-${event.kebab}.service';`,
  );
  const handlers = eventHandlers(spec);
  const handlerImports = handlers.map(
    (handler) => `import { ${handler.className} } from './orders/saga/${handler.file}';`,
  );
  return `import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { ${spec.pascal.toUpperCase()}_MIGRATIONS } from './migrations';
${useCases.join('\n')}
${handlerImports.join('\n')}

/**
 * Root module of the ${spec.name} service: reacts to ${spec.consumes.map((e) => e.definition.name).join(', ')}
 * through the inbox${spec.produces.length > 0 ? ` and publishes ${spec.produces.map((e) => e.name).join(', ')} through the outbox` : ''}.
 * The platform module brings its validated config, its database (migrations run at boot), the Kafka
 * consumer, the outbox relay and the health endpoints.
 */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(config, { entities: [], migrations: ${spec.pascal.toUpperCase()}_MIGRATIONS })],
      controllers: [${handlers.map((handler) => handler.className).join(', ')}],
      providers: [${spec.consumes.map(useCaseClass).join(', ')}],
    };
  }
}

/** How the platform boots the ${spec.name} service (used by main.ts and by tests). */
export const ${spec.camel}Service: ServiceDefinition = {
  name: '${spec.name}',
  module: (config) => AppModule.register(config),
};
`;
}

function appModuleSpec(spec: ServiceSpec): string {
  return `import { ConfigError, loadServiceConfig } from '@saga/platform';
import { ${spec.camel}Service } from './app.module';

describe('${spec.camel}Service', () => {
  it('boots with its own port, database and consumer group by default', () => {
    // Act
    const config = loadServiceConfig(${spec.camel}Service.name, {});

    // Assert
    expect(config).toMatchObject({
      service: '${spec.name}',
      port: ${spec.port},
      databaseUrl: 'postgres://${spec.name}_service@127.0.0.1:5432/${spec.name}_service',
      kafkaGroupId: '${spec.name}-service',
    });
  });

  it('refuses a bad setting, naming the variable', () => {
    // Act
    const load = () => loadServiceConfig(${spec.camel}Service.name, { PORT: 'eighty', KAFKA_BROKERS: 'nowhere' });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PORT: must be a number/);
    expect(load).toThrow(/KAFKA_BROKERS: must be a comma-separated list of host:port/);
  });
});
`;
}

function migrationIndex(spec: ServiceSpec, timestamp: number): string {
  return `import { ${migrationClass(spec, timestamp)} } from './${timestamp}-${spec.name}-initial-schema';

/** The ${spec.name} service's migrations, in order: the app runs them at boot, after the outbox's and the inbox's. */
export const ${spec.pascal.toUpperCase()}_MIGRATIONS = [${migrationClass(spec, timestamp)}];
`;
}

function migration(spec: ServiceSpec, timestamp: number): string {
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ${spec.name} service's first schema: one row per order it has seen, with the last saga event it
 * applied. \`events_seen\` counts the events applied, so a redelivery that got past the inbox would show.
 * The outbox and inbox tables come from the platform's own migrations, which run first.
 */
export class ${migrationClass(spec, timestamp)} implements MigrationInterface {
  name = '${migrationClass(spec, timestamp)}';

  async up(db: QueryRunner): Promise<void> {
    await db.query(\`
      CREATE TABLE order_progress (
        order_id        uuid PRIMARY KEY,
        last_event_type text NOT NULL,
        last_event_id   text NOT NULL,
        events_seen     integer NOT NULL DEFAULT 1 CHECK (events_seen > 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
    \`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_progress');
  }
}
`;
}

function progressRepository(spec: ServiceSpec): string {
  return `import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saga/contracts';

/** What the ${spec.name} service knows of an order: the last saga event it applied. */
export interface OrderProgress {
  readonly orderId: string;
  readonly lastEventType: string;
  readonly eventsSeen: number;
}

/**
 * Records that \`event\` was applied to its order, in the handler's transaction (\`manager\`): the row
 * commits together with the inbox entry and the outbox rows, or not at all.
 */
export async function recordProgress(
  manager: EntityManager,
  event: EventEnvelope<{ readonly orderId: string }>,
): Promise<OrderProgress> {
  const [row] = await manager.query<{ order_id: string; last_event_type: string; events_seen: number }[]>(
    \`INSERT INTO order_progress (order_id, last_event_type, last_event_id)
     VALUES ($1, $2, $3)
     ON CONFLICT (order_id) DO UPDATE
       SET last_event_type = EXCLUDED.last_event_type,
           last_event_id = EXCLUDED.last_event_id,
           events_seen = order_progress.events_seen + 1,
           updated_at = now()
     RETURNING order_id, last_event_type, events_seen\`,
    [event.data.orderId, event.type, event.id],
  );
  return { orderId: row.order_id, lastEventType: row.last_event_type, eventsSeen: row.events_seen };
}
`;
}

function useCase(spec: ServiceSpec, event: ConsumedEvent, publishes: boolean): string {
  const produced = publishes ? spec.produces : [];
  const builders = produced.map((p) => `import { ${p.builder} } from '../${p.kebab}';`);
  const publish =
    produced.length > 0
      ? `\n    await addToOutbox(manager, ${produced.map((p) => `${p.builder}(event)`).join(', ')});`
      : '';
  const what =
    produced.length > 0
      ? `records it against the order and publishes ${produced.map((p) => p.name).join(', ')} through the outbox, in the\n * same transaction: both commit with the inbox entry, or none does.`
      : "records it against the order, in the handler's transaction.";
  return `import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventOf, ${event.constName} } from '@saga/contracts';
${produced.length > 0 ? "import { addToOutbox } from '@saga/outbox';\n" : ''}${builders.join('\n')}${builders.length ? '\n' : ''}import { recordProgress } from '../order-progress.repository';

/**
 * The ${spec.name} service's answer to ${event.definition.name} (${event.definition.type}): ${what}
 */
@Injectable()
export class ${useCaseClass(event)} {
  async handle(manager: EntityManager, event: EventOf<typeof ${event.constName}>): Promise<void> {
    await recordProgress(manager, event);${publish}
  }
}
`;
}

function eventBuilder(spec: ServiceSpec, event: ProducedEvent): string {
  return `import { ${event.constName}, createEvent, type EventEnvelope, type EventOf } from '@saga/contracts';

/**
 * ${event.name} for the order of \`cause\`: the same order id (its Kafka key), the saga's correlation id,
 * and \`cause\` as its causation — so the saga's events read as one chain.
 */
export function ${event.builder}(
  cause: EventEnvelope<{ readonly orderId: string }>,
): EventOf<typeof ${event.constName}> {
  return createEvent(${event.constName}, { orderId: cause.data.orderId }, { source: '${spec.name}', causedBy: cause });
}
`;
}

function eventBuilderSpec(spec: ServiceSpec, event: ProducedEvent): string {
  return `import { ${event.constName}, TOPICS, type EventEnvelope } from '@saga/contracts';
import { ${event.builder} } from './${event.kebab}';

describe('${event.builder}', () => {
  const cause: EventEnvelope<{ orderId: string }> = {
    id: 'cause-1',
    type: 'order.confirmed.v1',
    source: '/saga-platform/order',
    time: '2026-01-01T00:00:00.000Z',
    correlationId: 'saga-1',
    topic: 'order.events',
    key: '6f1c1e0a-3b7e-4c1e-9d43-0d9c5b2f6a11',
    data: { orderId: '6f1c1e0a-3b7e-4c1e-9d43-0d9c5b2f6a11' },
  };

  it('publishes on ${spec.name}.events, keyed by the order id, valid against its contract', () => {
    // Act
    const event = ${event.builder}(cause);

    // Assert
    expect(event).toMatchObject({
      type: '${event.type}',
      source: '/saga-platform/${spec.name}',
      topic: TOPICS.${spec.topicKey}.name,
      key: cause.data.orderId,
    });
    expect(${event.constName}.schema.parse(event.data)).toEqual({ orderId: cause.data.orderId });
  });

  it('continues the saga of its cause: same correlation id, the cause as causation', () => {
    // Act
    const event = ${event.builder}(cause);

    // Assert
    expect(event.correlationId).toBe('saga-1');
    expect(event.causationId).toBe('cause-1');
    expect(event.id).not.toBe(cause.id);
  });
});
`;
}
