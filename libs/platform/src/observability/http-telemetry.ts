import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { contextFromTraceparent } from '@saga/common';
import type { PlatformMetrics } from './platform-metrics';

/** Probes and scrapes: answered without a span (they would bury the saga's traces) or a timing. */
const UNTRACED = /^\/(health(\/|$)|metrics$)/;

/** The route's pattern (`/orders/:id`), never the raw path: a bounded set of span names and labels. */
function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
}

/**
 * An Express middleware that makes each request a server span (`POST /orders`), continuing the
 * caller's trace when it sends a W3C `traceparent` header, and times it into
 * `http_server_request_duration_seconds`. Everything the request does (its database statements, the
 * outbox rows it writes) happens inside the span.
 */
export function httpTelemetry(tracer: Tracer, metrics: PlatformMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (UNTRACED.test(request.path)) return next();
    const started = performance.now();
    const parent = contextFromTraceparent(request.header('traceparent'), ROOT_CONTEXT);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'url.path': request.path },
      },
      parent,
    );
    let ended = false;
    // 'finish' once the answer is written; 'close' alone when the client went away first.
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeOf(request);
      if (!response.writableFinished) span.setAttribute('http.request.aborted', true);
      span.updateName(`${request.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': response.statusCode });
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(response.statusCode) },
        (performance.now() - started) / 1000,
      );
    };
    response.once('finish', end);
    response.once('close', end);
    const active = trace.setSpan(parent, span);
    // The body arrives in stream events, which would run outside the span: bind them to it.
    context.bind(active, request);
    context.bind(active, response);
    context.with(active, next);
  };
}
