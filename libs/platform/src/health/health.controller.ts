import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ConsumerHealthIndicator } from './consumer.health';
import { DeadLetterHealthIndicator } from './dead-letters.health';
import { KafkaHealthIndicator } from './kafka.health';
import { OutboxHealthIndicator } from './outbox.health';

/**
 * `GET /health/live`: the process serves HTTP (restart it if not).
 * `GET /health/ready`: database, Kafka, the outbox relay and the consumer are up (send it traffic only if so): 200 or
 * 503 with each check. Its details also report the dead letters (`deadLetters.count`), which never fail it.
 */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
    private readonly consumer: ConsumerHealthIndicator,
    private readonly deadLetters: DeadLetterHealthIndicator,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 2000 }),
        () => this.kafka.check('kafka'),
        () => this.outbox.check('outbox'),
        () => this.consumer.check('consumer'),
        () => this.deadLetters.check('deadLetters'),
      ]);
    } catch (error) {
      // Terminus reports "not ready" as an exception; answer its report as is, not as a problem.
      if (error instanceof ServiceUnavailableException) {
        response.status(503);
        return error.getResponse();
      }
      throw error;
    }
  }
}
