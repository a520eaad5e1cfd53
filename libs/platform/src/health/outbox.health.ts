import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { WalOutboxRelay, outboxBacklog } from '@saga/outbox';
import { OutboxRelayService } from '../outbox/outbox-relay.service';

/**
 * Readiness of the outbox relay: this instance's relay is connected (leading or standing by), with
 * the backlog — unpublished rows and the age of the oldest — in the report, and for the WAL relay its
 * slot: whether a relay streams it, its status, and the WAL it has not confirmed and makes the server keep.
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
    const { relay } = this.relays;
    const { role, published, lastError } = relay.status();
    const backlog = await outboxBacklog(this.dataSource).catch(() => undefined);
    const slot = relay instanceof WalOutboxRelay ? await relay.lag().catch(() => undefined) : undefined;
    const report = {
      role,
      published,
      backlog: backlog?.size,
      oldestAgeMs: backlog?.oldestAgeMs,
      ...(relay instanceof WalOutboxRelay ? { slot: slot ? { name: relay.slot, ...slot } : 'missing' } : {}),
    };
    return role === 'leader' || role === 'standby'
      ? indicator.up(report)
      : indicator.down({ ...report, message: lastError ?? `relay is ${role}` });
  }
}
