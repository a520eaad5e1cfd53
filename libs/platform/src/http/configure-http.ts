import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import type { ServiceConfig } from '../config';
import { httpTelemetry } from '../observability/http-telemetry';
import { TELEMETRY, type Telemetry } from '../observability/telemetry';
import { SERVICE_CONFIG } from '../service-config.token';
import { stampArrival } from './arrival';
import { answerClientErrorsAsProblems } from './client-error';
import type { ProblemDetails } from './problem-details.filter';

/** The largest JSON body a service accepts: an order of 50 lines is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Whether a request carries a body: some bytes announced, or a chunked one. */
function hasBody(request: Request): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** `application/json`, with parameters or not (`; charset=utf-8`): the one media type a body may have. */
function isJson(request: Request): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * Parses JSON bodies up to {@link MAX_BODY_BYTES} and answers a body that cannot be parsed (malformed
 * JSON: 400, too large: 413, not JSON or another charset or encoding: 415) as problem+json, like every
 * other error. A body of another media type (`text/plain`, a form, none named) is refused with a 415
 * before anything reads it, rather than ignored: a handler would otherwise see no body at all. Nest's own body parser would leave those errors to Express, which answers them in HTML. A
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
  app.use(stampArrival);
  app.use(httpTelemetry(telemetry.tracer, telemetry.metrics)); // first: the whole request is in its span
  app.enableCors({ origin: [...corsOrigins], methods: ['GET', 'HEAD'] });
  const parse = json({ limit: MAX_BODY_BYTES });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (hasBody(request) && !isJson(request)) {
      const named = request.headers['content-type'];
      const problem: ProblemDetails = {
        type: 'about:blank',
        title: 'Unsupported Media Type',
        status: 415,
        detail: `the body must be JSON (Content-Type: application/json), not ${named ? JSON.stringify(named.slice(0, 100)) : 'a body without a Content-Type'}`,
        instance: request.originalUrl,
      };
      response.status(415).type('application/problem+json').send(JSON.stringify(problem));
      return;
    }
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
