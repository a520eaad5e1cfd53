import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { PaymentInitialSchema1795300000000 } from './migrations/1795300000000-payment-initial-schema';

/** Root module of the payment service. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [PaymentInitialSchema1795300000000],
        }),
      ],
    };
  }
}

/** How the platform boots the payment service (used by main.ts and by tests). */
export const paymentService: ServiceDefinition = {
  name: 'payment',
  module: (config) => AppModule.register(config),
};
