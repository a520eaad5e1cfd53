import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { contextFromTraceparent, traceparentOf } from '@saga/common';

/** What a publish span needs of an outbox row. */
export interface PublishedRow {
  readonly topic: string;
  readonly record_key: string;
  readonly headers: Record<string, string>;
}

/**
 * Starts the producer span of one outbox row (`publish <topic>`), the child of the span that wrote the
 * row (its stored `traceparent`), and returns the row's headers with the `traceparent` of this span in
 * its place: the consumer's span becomes this one's child, and the trace crosses the broker.
 */
export function startPublishSpan(
  tracer: Tracer,
  row: PublishedRow,
  topic: string,
): { span: Span; headers: Record<string, string> } {
  const parent = contextFromTraceparent(row.headers.traceparent);
  const span = tracer.startSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.kafka.message.key': row.record_key,
        ...(row.headers.ce_id ? { 'messaging.message.id': row.headers.ce_id } : {}),
        ...(row.headers.ce_type ? { 'cloudevents.event_type': row.headers.ce_type } : {}),
      },
    },
    parent,
  );
  const traceparent = traceparentOf(trace.setSpan(parent, span));
  return { span, headers: traceparent ? { ...row.headers, traceparent } : row.headers };
}

/** Ends publish spans, as failed when the send failed. */
export function endPublishSpans(spans: readonly Span[], error?: unknown): void {
  const failure =
    error === undefined ? undefined : error instanceof Error ? error : new Error(JSON.stringify(error));
  for (const span of spans) {
    if (failure) {
      span.recordException(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    }
    span.end();
  }
}
