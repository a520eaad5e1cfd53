import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { PlatformModule, type Principal, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { CatalogEventsHandler } from './catalog/catalog-events.handler';
import { DashboardModule } from './dashboard/dashboard.module';
import { orderApi } from './order-api';
import { OrderInitialSchema1795300000000 } from './migrations/1795300000000-order-initial-schema';
import { OrderStuckAt1795300000001 } from './migrations/1795300000001-order-stuck-at';
import { OrderIdempotencyPerCustomer1795500000000 } from './migrations/1795500000000-order-idempotency-per-customer';
import { CancelOrderController } from './orders/commands/cancel-order/cancel-order.controller';
import { CancelOrderService } from './orders/commands/cancel-order/cancel-order.service';
import { orderAdmissionProviders } from './orders/commands/place-order/order-admission';
import { loadOrderRateLimit } from './orders/commands/place-order/order-rate-limit';
import { PlaceOrderController } from './orders/commands/place-order/place-order.controller';
import { PlaceOrderService } from './orders/commands/place-order/place-order.service';
import { GetOrderController } from './orders/queries/get-order/get-order.controller';
import { GetOrderService } from './orders/queries/get-order/get-order.service';
import { InventoryEventsHandler } from './orders/saga/inventory-events.handler';
import { OrderSagaService } from './orders/saga/order-saga.service';
import { PaymentEventsHandler } from './orders/saga/payment-events.handler';
import { SagaOutcomeMetrics } from './orders/saga/saga-outcome.metrics';
import { StuckConfigModule } from './orders/stuck/stuck-config.module';
import { StuckOrderDetector } from './orders/stuck/stuck-order.detector';

/**
 * Root module of the order service: the orders API, the order's side of the saga, the catalog replica,
 * and the live saga dashboard at `/`.
 */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, env: Record<string, string | undefined>): DynamicModule {
    const rateLimit = loadOrderRateLimit(env);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [
            OrderInitialSchema1795300000000,
            OrderStuckAt1795300000001,
            OrderIdempotencyPerCustomer1795500000000,
          ],
        }),
        StuckConfigModule.register(env),
        DashboardModule.register(env),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'orders', limit: rateLimit.limit, ttl: rateLimit.windowMs }],
          // Per customer, not per address: the guard runs after authentication has named the caller.
          // An admin (an operator, the demo's traffic) is not a customer to hold back.
          getTracker: (request: { principal?: Principal }) => request.principal?.subject ?? '',
          skipIf: (context) =>
            context
              .switchToHttp()
              .getRequest<{ principal?: Principal }>()
              .principal?.roles.includes('admin') ?? false,
          errorMessage: `too many orders: at most ${rateLimit.limit} per customer every ${rateLimit.windowMs / 1000} s`,
        }),
      ],
      controllers: [
        PlaceOrderController,
        GetOrderController,
        CancelOrderController,
        PaymentEventsHandler,
        InventoryEventsHandler,
        CatalogEventsHandler,
      ],
      providers: [
        ...orderAdmissionProviders(env),
        PlaceOrderService,
        GetOrderService,
        CancelOrderService,
        OrderSagaService,
        SagaOutcomeMetrics,
        StuckOrderDetector,
      ],
    };
  }
}

/** How the platform boots the order service (used by main.ts and by tests). */
export const orderService: ServiceDefinition = {
  name: 'order',
  module: (config, env) => AppModule.register(config, env),
  api: orderApi,
};
