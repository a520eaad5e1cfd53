import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { isInfrastructureError } from '@saga/messaging';
import { AtCapacityException } from './admission.interceptor';

/** An RFC 9457 problem details body. Extension members may be added beside the standard ones. */
export interface ProblemDetails {
  /** A URI naming the problem type; `about:blank` when the status says it all. */
  type: string;
  /** Short, human-readable summary of the problem type. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** What went wrong with this request. */
  detail?: string;
  /** The request path. */
  instance?: string;
  [extension: string]: unknown;
}

/** Builds the problem body for any thrown value; never exposes a stack trace or an internal message. */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  if (!(error instanceof HttpException)) {
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      instance,
    };
  }
  const status = error.getStatus();
  const body = error.getResponse();
  const fields = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
  const { message, error: title, statusCode: _statusCode, ...extensions } = fields;
  return {
    ...extensions,
    type: typeof fields.type === 'string' ? fields.type : 'about:blank',
    title: typeof title === 'string' ? title : error.name.replace(/Exception$/, ''),
    status,
    detail: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined,
    instance,
  };
}

/** What a client is told to wait after a 503 that names no wait of its own (the database failed it). */
const RETRY_AFTER_MS = 1000;

/** The 503 of a request the database failed; the database's own words stay in the log. */
function databaseUnavailable(instance: string): ProblemDetails {
  return {
    type: 'about:blank',
    title: 'Service Unavailable',
    status: HttpStatus.SERVICE_UNAVAILABLE,
    detail: `the database is unavailable or busy: send the request again in ${RETRY_AFTER_MS} ms`,
    instance,
    retryAfterMs: RETRY_AFTER_MS,
  };
}

/**
 * Answers every error as `application/problem+json` (docs/design.md: errors as problem details). A database
 * that is unreachable, cut off or out of connections is a 503 with `Retry-After`, not a 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') {
      // Kafka handlers: leave the error to the transport, which retries or dead-letters the record.
      return throwError(() => error);
    }
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) {
      // A stream (server-sent events) that failed midway: no problem can be sent any more, only an end.
      this.logger.warn(`${request.method} ${request.originalUrl} failed after its answer began`);
      response.end();
      return;
    }
    // A database that is unreachable, cut off or out of connections is not the request's fault, and
    // likely over soon: "not now" lets the client come back instead of taking it for a bug.
    const databaseDown = isInfrastructureError(error);
    const problem = databaseDown
      ? databaseUnavailable(request.originalUrl)
      : toProblem(error, request.originalUrl);
    if (problem.status === 503) {
      // "Not now", always with the wait: the admission gate's own, else a second.
      const retryAfterMs = typeof problem.retryAfterMs === 'number' ? problem.retryAfterMs : RETRY_AFTER_MS;
      problem.retryAfterMs = retryAfterMs;
      response.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      response.setHeader('Retry-After-Ms', String(retryAfterMs));
      // The gate's refusals are the service working as meant (debug); any other 503 is worth a look.
      const why = databaseDown ? `database unavailable: ${(error as Error).message}` : (problem.detail ?? '');
      const line = `${request.method} ${request.originalUrl}: 503 ${why}`;
      if (error instanceof AtCapacityException) this.logger.debug?.(line);
      else this.logger.warn(line);
    } else if (problem.status >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} failed`, (error as Error)?.stack);
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
