import { migration, migrationIndex, progressRepository } from './service-schema-files';
import { eventHandlerFile, eventHandlers, useCaseClass } from './event-handler-files';
import { eventBuilder, eventBuilderSpec, useCase } from './service-handler-files';
import type { ServiceSpec } from './service-spec';
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

function tsconfigApp(spec: ServiceSpec): string {
  return `${JSON.stringify(
    {
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: `../../dist/apps/${spec.name}` },
      include: ['src/**/*', '../../libs/*/src/**/*'],
      exclude: ['../../**/*spec.ts', '../../libs/testing', '../../libs/test-kit', '../../libs/provisioning'],
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
      databaseUrl: 'postgres://${spec.name}_service@127.0.0.1:55432/${spec.name}_service',
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
