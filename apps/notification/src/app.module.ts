import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@saga/platform';
import { MAIL_CONFIG, loadMailConfig } from './config/mail-config';
import { NOTIFICATION_MIGRATIONS } from './migrations';
import { MailDispatcherService } from './notifications/dispatch/mail-dispatcher.service';
import { ListNotificationsController } from './notifications/queries/list-notifications/list-notifications.controller';
import { ListNotificationsService } from './notifications/queries/list-notifications/list-notifications.service';
import { RecentNotificationsController } from './notifications/queries/recent-notifications/recent-notifications.controller';
import { RecentNotificationsService } from './notifications/queries/recent-notifications/recent-notifications.service';
import { RecordNotificationService } from './notifications/record-notification/record-notification.service';
import { OrderEventsHandler } from './notifications/saga/order-events.handler';
import { notificationApi } from './notification-api';

/**
 * Root module of the notification service: records one e-mail per order and terminal state from the
 * order's events, sends them over SMTP after commit, and lists them over HTTP.
 */
@Module({})
export class AppModule {
  static register(config: ServiceConfig, env: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService(config, {
          entities: [],
          migrations: NOTIFICATION_MIGRATIONS,
        }),
      ],
      controllers: [OrderEventsHandler, ListNotificationsController, RecentNotificationsController],
      providers: [
        { provide: MAIL_CONFIG, useValue: loadMailConfig(env) },
        RecordNotificationService,
        ListNotificationsService,
        RecentNotificationsService,
        MailDispatcherService,
      ],
    };
  }
}

/** How the platform boots the notification service (used by main.ts and by tests). */
export const notificationService: ServiceDefinition = {
  name: 'notification',
  module: (config, env) => AppModule.register(config, env),
  api: notificationApi,
};
