import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ServiceConfig } from '../config';

let contextManagerRegistered = false;

/**
 * One context manager per process (AsyncLocalStorage): the active span follows a request or a record
 * through every `await`. Registered once, whichever service of the process comes first.
 */
function registerContextManager(): void {
  if (contextManagerRegistered) return;
  contextManagerRegistered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A processor the caller owns (say, shared by every service of a test): this provider's shutdown only flushes it. */
function borrowed(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: (span, parentContext) => processor.onStart(span, parentContext),
    onEnd: (span) => processor.onEnd(span),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.forceFlush(),
  };
}

/** A service's traces: the tracer its code starts spans with, and the provider to flush at shutdown. */
export interface ServiceTracing {
  readonly tracer: Tracer;
  /** Exports the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * The service's own tracer provider (not the global one: several services may share a process, as in
 * the end-to-end tests, and each names its spans with its own `service.name`). Spans go over OTLP/HTTP
 * to `OTEL_EXPORTER_OTLP_ENDPOINT` when it is set, and to any `spanProcessors` given (a test's
 * in-memory exporter). Without either, spans are still made: the `traceparent` they give the outbox and
 * the log lines is what ties a saga together. `OTEL_TRACES_SAMPLER_ARG` samples new traces; a trace
 * begun elsewhere keeps its parent's decision.
 */
export function createTracing(
  config: Pick<ServiceConfig, 'service' | 'otlpEndpoint' | 'traceSampleRatio'>,
  spanProcessors: readonly SpanProcessor[] = [],
): ServiceTracing {
  registerContextManager();
  const processors: SpanProcessor[] = spanProcessors.map(borrowed);
  if (config.otlpEndpoint) {
    const url = `${config.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.traceSampleRatio) }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer('@saga/platform'),
    shutdown: () => provider.shutdown(),
  };
}
