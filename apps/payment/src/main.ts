import { runService } from '@saga/platform';
import { paymentService } from './app.module';

runService(paymentService);
