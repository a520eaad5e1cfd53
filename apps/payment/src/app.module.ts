import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, seedAtBoot, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { GetAccountController } from './accounts/get-account/get-account.controller';
import { GetAccountService } from './accounts/get-account/get-account.service';
import { PaymentInitialSchema1795300000000 } from './migrations/1795300000000-payment-initial-schema';
import { AuthorizePaymentService } from './payments/authorize-payment/authorize-payment.service';
import { CancelPaymentService } from './payments/cancel-payment/cancel-payment.service';
import { CompensateStockFailureService } from './payments/compensate-stock-failure/compensate-stock-failure.service';
import { InventoryEventsHandler } from './payments/saga/inventory-events.handler';
import { OrderEventsHandler } from './payments/saga/order-events.handler';
import { ACCOUNTS_SEED } from './seed/accounts-seed';
import { paymentApi } from './payment-api';

/** Root module of the payment service. */
@Module({})
export class AppModule {
  /** Reads `SEED_FILE` here, so a bad seed file fails the boot before anything is opened. */
  static register(config: ServiceConfig, env: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [PaymentInitialSchema1795300000000],
        }),
      ],
      controllers: [OrderEventsHandler, InventoryEventsHandler, GetAccountController],
      providers: [
        AuthorizePaymentService,
        CancelPaymentService,
        CompensateStockFailureService,
        GetAccountService,
        seedAtBoot(ACCOUNTS_SEED, env),
      ],
    };
  }
}

/** How the platform boots the payment service (used by main.ts and by tests). */
export const paymentService: ServiceDefinition = {
  name: 'payment',
  module: (config, env) => AppModule.register(config, env),
  api: paymentApi,
};
