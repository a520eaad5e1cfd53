import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { contextFromTraceparent, withOrderId } from '@saga/common';
import { createServiceLogger } from './service-logger';

describe('createServiceLogger', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  afterAll(() => {
    context.disable();
  });

  const capture = (logLevel: 'log' | 'warn' = 'log') => {
    const lines: Record<string, unknown>[] = [];
    const logger = createServiceLogger(
      { service: 'payment', logLevel, logFormat: 'json' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    return { logger, lines };
  };

  it('writes JSON lines with the service, an ISO time, and the order and trace of the work in hand', () => {
    // Arrange
    const { logger, lines } = capture();
    const work = withOrderId(
      contextFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      'order-7',
    );

    // Act
    context.with(work, () => logger.info('charged'));
    logger.info('booted');

    // Assert
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'payment',
        msg: 'charged',
        orderId: 'order-7',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      }),
      expect.not.objectContaining({ orderId: expect.anything(), traceId: expect.anything() }),
    ]);
    expect(lines[1]).toMatchObject({ msg: 'booted', service: 'payment' });
  });

  it("cuts lines below LOG_LEVEL, with Nest's 'log' as pino's info", () => {
    // Arrange
    const { logger, lines } = capture('warn');

    // Act
    logger.info('routine');
    logger.warn('odd');

    // Assert
    expect(lines.map((line) => line.msg)).toEqual(['odd']);
  });

  it("names the service whose span is active, when another service's logger writes the line", () => {
    // Arrange: one process, two services (as in the e2e tests); Nest's logger is the payment service's
    const { logger, lines } = capture();
    const inventory = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'inventory' }),
    }).getTracer('test');
    const span = inventory.startSpan('process payment.events');

    // Act
    context.with(trace.setSpan(context.active(), span), () => logger.warn('reserved'));
    span.end();

    // Assert
    expect(lines).toEqual([expect.objectContaining({ msg: 'reserved', service: 'inventory' })]);
  });
});
