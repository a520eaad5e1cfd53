import { Module, type DynamicModule } from '@nestjs/common';
import { DASHBOARD_CONFIG, loadDashboardConfig } from './dashboard-config';
import { DashboardPageController } from './dashboard-page.controller';
import { DashboardController } from './dashboard.controller';
import { DashboardFeedService } from './feed/dashboard-feed.service';
import { DashboardSummaryService } from './summary/dashboard-summary.service';

/**
 * The live saga dashboard served by the order service: its page, the outcome counters and the live
 * feed of saga steps. It only reads the order database; the page itself reads the other services. The
 * stuck-saga settings its counters use come from the order service's `StuckConfigModule`.
 */
@Module({})
export class DashboardModule {
  static register(env: Record<string, string | undefined>): DynamicModule {
    return {
      module: DashboardModule,
      controllers: [DashboardPageController, DashboardController],
      providers: [
        { provide: DASHBOARD_CONFIG, useValue: loadDashboardConfig(env) },
        DashboardSummaryService,
        DashboardFeedService,
      ],
    };
  }
}
