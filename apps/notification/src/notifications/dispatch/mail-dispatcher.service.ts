import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@saga/platform';
import { MAIL_CONFIG, type MailConfig } from '../../config/mail-config';
import { MailDispatcher } from './mail-dispatcher';
import type { DispatcherStatus } from './mail-dispatcher.options';

/** Runs the {@link MailDispatcher} for the life of the app: every instance runs one; they share the work. */
@Injectable()
export class MailDispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly dispatcher: MailDispatcher;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig, @Inject(MAIL_CONFIG) mail: MailConfig) {
    this.dispatcher = new MailDispatcher({
      databaseUrl: config.databaseUrl,
      mail,
      name: config.kafkaClientId,
      logger: new Logger(MailDispatcher.name),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.dispatcher.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.dispatcher.stop();
  }

  /** Mails sent and failed by this instance, and the last error. */
  status(): DispatcherStatus {
    return this.dispatcher.status();
  }
}
