import { Controller, Get, Inject, Sse, type MessageEvent } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { Roles } from '@saga/platform';
import { DASHBOARD_CONFIG, type DashboardConfig } from './dashboard-config';
import { DashboardFeedService } from './feed/dashboard-feed.service';
import { DashboardSummaryService } from './summary/dashboard-summary.service';
import type { DashboardSummary } from './summary/dashboard-summary.service';

/**
 * The dashboard's data: `GET /dashboard/config` (where the peers are), `GET /dashboard/summary` (the
 * outcome counters) and `GET /dashboard/stream` (Server-Sent Events: a snapshot, then new saga steps).
 * Every customer's orders are on it: admins only.
 */
@Controller('dashboard')
@Roles('admin')
export class DashboardController {
  constructor(
    @Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig,
    private readonly summaries: DashboardSummaryService,
    private readonly feeds: DashboardFeedService,
  ) {}

  @Get('config')
  peers(): DashboardConfig {
    return this.config;
  }

  @Get('summary')
  summary(): Promise<DashboardSummary> {
    return this.summaries.summary();
  }

  @Sse('stream')
  stream(): Observable<MessageEvent> {
    return this.feeds.feed().pipe(map((message) => ({ data: message })));
  }
}
