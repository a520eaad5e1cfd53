import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  activeOrderId,
  activeTraceIds,
  contextFromTraceparent,
  traceparentOf,
  withOrderId,
} from './trace-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context helpers', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  afterAll(() => {
    context.disable();
  });

  it('turns a traceparent into a context and back, unchanged', () => {
    // Act
    const restored = traceparentOf(contextFromTraceparent(TRACEPARENT));

    // Assert
    expect(restored).toBe(TRACEPARENT);
  });

  it('ignores an absent or malformed traceparent: no trace', () => {
    expect(traceparentOf(contextFromTraceparent(undefined))).toBeUndefined();
    expect(traceparentOf(contextFromTraceparent('00-nonsense-01'))).toBeUndefined();
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('reads the active trace ids and order id inside a context, and nothing outside it', async () => {
    // Arrange
    const ctx = withOrderId(contextFromTraceparent(TRACEPARENT), 'order-1');

    // Act
    const inside = await context.with(ctx, async () => {
      await Promise.resolve(); // across an await, as in a handler
      return { ids: activeTraceIds(), orderId: activeOrderId() };
    });

    // Assert
    expect(inside).toEqual({
      ids: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
      orderId: 'order-1',
    });
    expect({ ids: activeTraceIds(), orderId: activeOrderId() }).toEqual({
      ids: undefined,
      orderId: undefined,
    });
    expect(trace.getSpan(ctx)?.spanContext().isRemote).toBe(true);
  });
});
