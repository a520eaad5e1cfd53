import { runService } from '@saga/platform';
import { orderService } from './app.module';

runService(orderService);
