import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { NotificationInitialSchema1795300000000 } from './migrations/1795300000000-notification-initial-schema';

/** Root module of the notification service. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: [NotificationInitialSchema1795300000000],
        }),
      ],
    };
  }
}

/** How the platform boots the notification service (used by main.ts and by tests). */
export const notificationService: ServiceDefinition = {
  name: 'notification',
  module: (config) => AppModule.register(config),
};
