import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { InventoryInitialSchema1795300000000 } from './migrations/1795300000000-inventory-initial-schema';

/** Root module of the inventory service. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [InventoryInitialSchema1795300000000],
        }),
      ],
    };
  }
}

/** How the platform boots the inventory service (used by main.ts and by tests). */
export const inventoryService: ServiceDefinition = {
  name: 'inventory',
  module: (config) => AppModule.register(config),
};
