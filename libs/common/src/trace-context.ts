import {
  ROOT_CONTEXT,
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Context,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * How a saga's trace crosses the asynchronous boundaries: a W3C `traceparent` string is all that the
 * outbox row, the Kafka header and the event envelope carry, and these turn it into an OpenTelemetry
 * context and back. Used directly (not through the global propagator), so a library works the same
 * whether or not a process registered one.
 */
const propagator = new W3CTraceContextPropagator();

/** The context whose remote parent `traceparent` is (`parent` itself when it is absent or malformed). */
export function contextFromTraceparent(
  traceparent: string | undefined,
  parent: Context = ROOT_CONTEXT,
): Context {
  if (!traceparent) return parent;
  return propagator.extract(parent, { traceparent }, defaultTextMapGetter);
}

/** The `traceparent` of the span active in `ctx` (by default the current one); undefined when none is. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The trace id and span id active now, for log lines; undefined outside any span. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

const ORDER_ID = createContextKey('saga.order_id');

/** `ctx` with the order its work is for: log lines written inside carry it. */
export function withOrderId(ctx: Context, orderId: string | undefined): Context {
  return orderId ? ctx.setValue(ORDER_ID, orderId) : ctx;
}

/** The order the current work is for, if it is saga work for one. */
export function activeOrderId(): string | undefined {
  const orderId = context.active().getValue(ORDER_ID);
  return typeof orderId === 'string' ? orderId : undefined;
}

/** Marks the active span (an HTTP request's) as work for `orderId`: its trace can be found by the order. */
export function tagActiveSpanWithOrder(orderId: string): void {
  trace.getSpan(context.active())?.setAttribute('saga.order_id', orderId);
}
