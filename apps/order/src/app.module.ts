import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { OrderInitialSchema1795300000000 } from './migrations/1795300000000-order-initial-schema';

/** Root module of the order service. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [OrderInitialSchema1795300000000],
        }),
      ],
    };
  }
}

/** How the platform boots the order service (used by main.ts and by tests). */
export const orderService: ServiceDefinition = {
  name: 'order',
  module: (config) => AppModule.register(config),
};
