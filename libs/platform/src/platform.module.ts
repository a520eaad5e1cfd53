import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ServiceConfig } from './config';
import { BACKGROUND_DATA_SOURCE, typeOrmOptions, type DatabaseDefinition } from './database/typeorm-options';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator, clusterProbeFactoryProvider } from './health/kafka.health';
import { ConsumerHealthIndicator } from './health/consumer.health';
import { DeadLetterHealthIndicator } from './health/dead-letters.health';
import { OutboxHealthIndicator } from './health/outbox.health';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { SERVICE_CONFIG } from './service-config.token';
import { TELEMETRY, type Telemetry } from './observability/telemetry';

/**
 * What every service has: its validated config, its database with migrations run at boot (the outbox
 * and inbox tables included), the outbox relay, health endpoints, problem+json errors, and bearer-token
 * authentication of every endpoint not marked `@Public()` (docs/security.md). A service's AppModule imports `PlatformModule.forService(...)`.
 */
@Module({})
export class PlatformModule {
  static forService(config: ServiceConfig, database: DatabaseDefinition): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [TELEMETRY],
          useFactory: (telemetry: Telemetry) => typeOrmOptions(config, database, telemetry.tracer),
        }),
        // A pool of its own for the consumer and the periodic jobs: they cannot starve the requests.
        TypeOrmModule.forRootAsync({
          name: BACKGROUND_DATA_SOURCE,
          inject: [TELEMETRY],
          useFactory: (telemetry: Telemetry) =>
            typeOrmOptions(config, database, telemetry.tracer, 'background'),
        }),
        TerminusModule.forRoot({ errorLogStyle: 'pretty', gracefulShutdownTimeoutMs: 0 }),
      ],
      controllers: [HealthController, DeadLettersController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: TokenVerifier, useFactory: () => new TokenVerifier(config.auth) },
        { provide: APP_GUARD, useClass: AuthGuard },
        clusterProbeFactoryProvider,
        KafkaHealthIndicator,
        OutboxRelayService,
        OutboxHealthIndicator,
        ConsumerHealthIndicator,
        DeadLetterHealthIndicator,
      ],
      exports: [SERVICE_CONFIG],
    };
  }
}
