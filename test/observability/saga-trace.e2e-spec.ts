import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SERVICE_NAMES } from '@saga/contracts';
import { waitFor } from '@saga/common';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/** A span as the assertions read it. */
interface SeenSpan {
  readonly service: string;
  readonly kind: string;
  readonly name: string;
  readonly eventType?: string;
  readonly spanId: string;
  readonly parentId?: string;
}

const KIND = {
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'db',
  [SpanKind.PRODUCER]: 'publish',
  [SpanKind.CONSUMER]: 'process',
  [SpanKind.INTERNAL]: 'internal',
};

function seen(span: ReadableSpan): SeenSpan {
  const eventType = span.attributes['cloudevents.event_type'];
  return {
    service: String(span.resource.attributes['service.name']),
    kind: KIND[span.kind],
    name: span.name,
    ...(typeof eventType === 'string' ? { eventType } : {}),
    spanId: span.spanContext().spanId,
    ...(span.parentSpanContext ? { parentId: span.parentSpanContext.spanId } : {}),
  };
}

/** The consumer spans a confirmed order's trace must hold: who processed which event. */
const PROCESSED = [
  'inventory: payment.authorized.v1',
  'notification: order.confirmed.v1',
  'order: catalog.product-updated.v2',
  'order: inventory.stock-reserved.v1',
  'order: payment.authorized.v1',
  'payment: order.placed.v1',
];

/**
 * One order, one trace: the request's W3C trace context goes into the outbox row, out as a Kafka header,
 * into the consumer's inbox transaction and on into the next outbox row, across all four services.
 * Every service's spans go to one in-memory exporter.
 */
describe('tracing a saga across the four services', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: string[] = [];
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('trace', SERVICES, SEED, {
      env: { LOG_LEVEL: 'log' }, // the tests' default is warn: this one reads info lines
      telemetry: {
        spanProcessors: [new SimpleSpanProcessor(exporter)],
        logDestination: { write: (line: string) => void logLines.push(line) },
      },
    });
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it("puts one order's HTTP, database and Kafka spans from all four services into the caller's trace", async () => {
    // Arrange: the caller's own trace context
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    // Act
    const placed = await saga.request<{ orderId: string }>(
      'order',
      'POST',
      '/orders',
      { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    const order = await saga.waitForSettled(placed.body.orderId);
    const spans = await waitFor(
      () => {
        const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
        const processed = new Set(
          inTrace
            .map(seen)
            .filter((s) => s.kind === 'process')
            .map((s) => `${s.service}: ${s.eventType}`),
        );
        const missing = PROCESSED.filter((entry) => !processed.has(entry));
        if (missing.length === 0) return inTrace.map(seen);
        // What the timeout reports: the trace's spans so far, and every trace's span count.
        const traces = new Map<string, number>();
        for (const span of exporter.getFinishedSpans())
          traces.set(span.spanContext().traceId, (traces.get(span.spanContext().traceId) ?? 0) + 1);
        throw new Error(
          `missing ${missing.join(', ')}; in the trace: ${inTrace.map((span) => span.name).join(', ')}; ` +
            `spans per trace: ${JSON.stringify(Object.fromEntries(traces))}`,
        );
      },
      { timeoutMs: 30_000, what: `the consumer spans ${PROCESSED.join(', ')} in trace ${traceId}` },
    );

    // Assert
    expect(order.status).toBe('CONFIRMED');
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(SERVICE_NAMES));
    const server = spans.filter((span) => span.kind === 'server');
    expect(server).toEqual([
      expect.objectContaining({ service: 'order', name: 'POST /orders', parentId: callerSpanId }),
    ]);
    // Every service wrote in its database inside the trace, and the producers published into it.
    for (const service of SERVICE_NAMES) {
      expect({ service, db: spans.some((span) => span.service === service && span.kind === 'db') }).toEqual({
        service,
        db: true,
      });
    }
    expect(
      spans
        .filter((span) => span.kind === 'publish')
        .map((span) => `${span.service}: ${span.eventType}`)
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'inventory: catalog.product-updated.v2',
        'inventory: inventory.stock-reserved.v1',
        'order: order.confirmed.v1',
        'order: order.placed.v1',
        'payment: payment.authorized.v1',
      ]),
    );
    // One tree: each span's parent is in the trace (the caller's span is the root's parent), and each
    // consumer span is the child of a publish span of its event type.
    const ids = new Map(spans.map((span) => [span.spanId, span]));
    expect(spans.filter((span) => span.parentId !== callerSpanId && !ids.has(span.parentId!))).toEqual([]);
    for (const span of spans.filter((s) => s.kind === 'process')) {
      expect({
        span: span.name,
        parent: ids.get(span.parentId!)?.kind,
        type: ids.get(span.parentId!)?.eventType,
      }).toEqual({
        span: span.name,
        parent: 'publish',
        type: span.eventType,
      });
    }
  });

  it('writes JSON log lines of saga work with the order id and the trace id', async () => {
    // Arrange: a customer who cannot pay, so the order service logs the cancellation in its consumer
    const traceId = randomBytes(16).toString('hex');

    // Act
    const placed = await saga.request<{ orderId: string }>(
      'order',
      'POST',
      '/orders',
      { customerId: 'poor', items: [{ sku: 'GADGET', quantity: 1 }] },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    const { orderId } = placed.body;
    await saga.waitForSettled(orderId);
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

    // Assert
    const cancelled = lines.find(
      (line) => line.msg === `order ${orderId} cancelled: payment declined: INSUFFICIENT_FUNDS`,
    );
    expect(cancelled).toMatchObject({
      level: 30,
      service: 'order',
      orderId,
      traceId,
      context: 'OrderSagaService',
    });
    expect(cancelled?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(cancelled?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    const request = lines.find((line) => line.msg === 'request completed' && line.traceId === traceId);
    expect(request).toMatchObject({ req: { method: 'POST', url: '/orders' }, res: { statusCode: 202 } });
  });
});
