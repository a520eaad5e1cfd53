import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, seedAtBoot, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { InventoryInitialSchema1795300000000 } from './migrations/1795300000000-inventory-initial-schema';
import { GetProductsController } from './products/get-products/get-products.controller';
import { GetProductsService } from './products/get-products/get-products.service';
import { ReleaseStockService } from './reservations/release-stock/release-stock.service';
import { ReserveStockService } from './reservations/reserve-stock/reserve-stock.service';
import { OrderEventsHandler } from './reservations/saga/order-events.handler';
import { PaymentEventsHandler } from './reservations/saga/payment-events.handler';
import { PRODUCTS_SEED } from './seed/products-seed';
import { inventoryApi } from './inventory-api';

/** Root module of the inventory service: the catalog API, stock reservations, seeding at boot. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, env: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [InventoryInitialSchema1795300000000],
        }),
      ],
      controllers: [GetProductsController, PaymentEventsHandler, OrderEventsHandler],
      providers: [
        GetProductsService,
        ReserveStockService,
        ReleaseStockService,
        seedAtBoot(PRODUCTS_SEED, env),
      ],
    };
  }
}

/** How the platform boots the inventory service (used by main.ts and by tests). */
export const inventoryService: ServiceDefinition = {
  name: 'inventory',
  module: (config, env) => AppModule.register(config, env),
  api: inventoryApi,
};
