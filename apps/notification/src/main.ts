import { runService } from '@saga/platform';
import { notificationService } from './app.module';

runService(notificationService);
