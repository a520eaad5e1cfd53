import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { TELEMETRY, type Telemetry } from './telemetry';

/** `GET /metrics`: the service's metrics in Prometheus' text format, for Prometheus to scrape. */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(@Inject(TELEMETRY) private readonly telemetry: Telemetry) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const { registry } = this.telemetry.metrics;
    response.type(registry.contentType).send(await this.telemetry.metrics.text());
  }
}
