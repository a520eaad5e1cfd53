import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import type { ServiceConfig } from '../config';
import { httpTelemetry } from '../observability/http-telemetry';
import { TELEMETRY, type Telemetry } from '../observability/telemetry';
import { SERVICE_CONFIG } from '../service-config.token';
import { answerClientErrorsAsProblems } from './client-error';
import type { ProblemDetails } from './problem-details.filter';

/** The largest JSON body a service accepts: an order of 50 lines is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Parses JSON bodies up to {@link MAX_BODY_BYTES} and answers a body that cannot be parsed (malformed
 * JSON: 400, too large: 413, another charset or encoding: 415) as problem+json, like every other
 * error. Nest's own body parser would leave those errors to Express, which answers them in HTML. A
 * request that Node's HTTP parser refuses is answered as a problem too ({@link answerClientErrorsAsProblems}).
 *
 * Lets pages from `corsOrigins` (the order service's dashboard, by default) read the GET endpoints:
 * services never call each other, so the dashboard's browser asks each service itself. Only reads are
 * shared; a page elsewhere still cannot place or cancel orders through a visitor's browser.
 */
export function configureHttp(
  app: INestApplication,
  { corsOrigins }: Pick<ServiceConfig, 'corsOrigins'> = app.get<symbol, ServiceConfig>(SERVICE_CONFIG),
): void {
  answerClientErrorsAsProblems(app.getHttpServer() as Server);
  const telemetry = app.get<symbol, Telemetry>(TELEMETRY);
  app.use(httpTelemetry(telemetry.tracer, telemetry.metrics)); // first: the whole request is in its span
  app.enableCors({ origin: [...corsOrigins], methods: ['GET', 'HEAD'] });
  const parse = json({ limit: MAX_BODY_BYTES });
  app.use((request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const failure = error as { status?: number; type?: string; message?: string };
      const status = failure.status && failure.status >= 400 && failure.status < 500 ? failure.status : 400;
      const problem: ProblemDetails = {
        type: 'about:blank',
        title:
          status === 413 ? 'Payload Too Large' : status === 415 ? 'Unsupported Media Type' : 'Bad Request',
        status,
        detail:
          status === 413
            ? `the body is larger than ${MAX_BODY_BYTES} bytes`
            : `the body is not valid JSON: ${failure.message ?? failure.type ?? 'unreadable'}`,
        instance: request.originalUrl,
      };
      response.status(status).type('application/problem+json').send(JSON.stringify(problem));
    });
  });
}
