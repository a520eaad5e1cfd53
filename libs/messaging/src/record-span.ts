import { SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { contextFromTraceparent, withOrderId } from '@saga/common';
import type { EventEnvelope } from '@saga/contracts';

/** Where a record was read, as its span records it. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
  readonly groupId: string;
}

/** The order a saga event is about (every saga event's data names it); undefined for catalog events. */
export function orderIdOf(event: EventEnvelope): string | undefined {
  const { orderId } = (event.data ?? {}) as { orderId?: unknown };
  return typeof orderId === 'string' ? orderId : undefined;
}

/**
 * The context a record's work runs in before its span starts: its producer's span as the remote parent
 * (from the `traceparent` header), and its order, so log lines carry both.
 */
export function recordContext(event: EventEnvelope): Context {
  return withOrderId(contextFromTraceparent(event.traceparent), orderIdOf(event));
}

/**
 * Starts the consumer span of one record (`process <topic>`, OpenTelemetry's messaging conventions):
 * the child of the span that published it, so the saga's trace goes on across the broker. Returns the
 * span and the context to run the record's work in.
 */
export function startRecordSpan(
  tracer: Tracer,
  event: EventEnvelope,
  at: RecordPosition,
): { span: Span; context: Context } {
  const parent = recordContext(event);
  const orderId = orderIdOf(event);
  const span = tracer.startSpan(
    `process ${at.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': at.topic,
        'messaging.destination.partition.id': String(at.partition),
        'messaging.kafka.offset': Number(at.offset),
        'messaging.kafka.message.key': event.key,
        'messaging.message.id': event.id,
        'messaging.consumer.group.name': at.groupId,
        'cloudevents.event_type': event.type,
        'saga.attempt': at.attempt,
        ...(orderId ? { 'saga.order_id': orderId } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a record's span, as failed when `error` is given. */
export function endRecordSpan(span: Span, error?: Error): void {
  if (error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}
