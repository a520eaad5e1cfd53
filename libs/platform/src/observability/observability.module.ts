import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { MetricsController } from './metrics.controller';
import { TELEMETRY, type Telemetry } from './telemetry';

/** Requests not worth a log line each: probes and scrapes. */
const QUIET = /^\/(health(\/|\?|$)|metrics(\?|$))/;

/**
 * The service's telemetry for Nest: `TELEMETRY` for every module, `GET /metrics`, and Nest's logs
 * (and one line per HTTP request) written by the service's pino logger through `nestjs-pino`.
 *
 * Nest keeps one logger per process: in a process that runs several services (the end-to-end tests), a
 * line names the service of the active span (see createServiceLogger); a deployed service runs alone.
 */
@Module({})
export class ObservabilityModule implements OnApplicationShutdown {
  constructor(@Inject(TELEMETRY) private readonly telemetry: Telemetry) {}

  static forService(telemetry: Telemetry): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: telemetry.logger,
            quietReqLogger: true,
            autoLogging: { ignore: (request: IncomingMessage) => QUIET.test(request.url ?? '') },
            serializers: {
              req: (request: IncomingMessage) => ({ method: request.method, url: request.url }),
              res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
            },
          },
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: TELEMETRY, useValue: telemetry }],
      exports: [TELEMETRY],
    };
  }

  /** Exports the spans still buffered before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
