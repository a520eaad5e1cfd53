import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { outboxBacklog } from '@saga/outbox';
import { OutboxRelayService } from '../outbox/outbox-relay.service';

/**
 * Readiness of the outbox relay: this instance's relay is connected (leading or standing by), with
 * the backlog — unpublished rows and the age of the oldest — in the report.
 */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly relays: OutboxRelayService,
    private readonly dataSource: DataSource,
  ) {}

  async check(key: string) {
    const indicator = this.indicators.check(key);
    const { role, published, lastError } = this.relays.relay.status();
    const backlog = await outboxBacklog(this.dataSource).catch(() => undefined);
    const report = { role, published, backlog: backlog?.size, oldestAgeMs: backlog?.oldestAgeMs };
    return role === 'leader' || role === 'standby'
      ? indicator.up(report)
      : indicator.down({ ...report, message: lastError ?? `relay is ${role}` });
  }
}
