import { runService } from '@saga/platform';
import { inventoryService } from './app.module';

runService(inventoryService);
