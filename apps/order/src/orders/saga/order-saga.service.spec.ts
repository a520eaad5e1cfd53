import type { OrderRow } from '../order.repository';
import { OrderSagaService } from './order-saga.service';
import type { SagaOutcomeMetrics } from './saga-outcome.metrics';

const order = (changes: Partial<OrderRow>): OrderRow => ({
  id: 'o',
  customerId: 'c',
  status: 'PENDING',
  totalCents: 100,
  currency: 'EUR',
  reason: null,
  paymentStatus: 'PENDING',
  stockStatus: 'PENDING',
  placedAt: new Date('2026-12-01T00:00:00Z'),
  ...changes,
});

describe('OrderSagaService.decide', () => {
  const saga = new OrderSagaService({ settledIn: () => undefined } as unknown as SagaOutcomeMetrics);

  it.each<[string, Partial<OrderRow>, object]>([
    [
      'confirms when paid and reserved',
      { paymentStatus: 'AUTHORIZED', stockStatus: 'RESERVED' },
      { status: 'CONFIRMED' },
    ],
    ['waits for the payment when the stock report came first', { stockStatus: 'RESERVED' }, {}],
    ['cancels when the payment failed', { paymentStatus: 'FAILED' }, { status: 'CANCELLED' }],
    [
      'cancels when the payment was refunded',
      { paymentStatus: 'REFUNDED', stockStatus: 'FAILED' },
      { status: 'CANCELLED' },
    ],
    [
      'waits for the refund after a stock failure',
      { paymentStatus: 'AUTHORIZED', stockStatus: 'FAILED' },
      {},
    ],
    [
      'does not confirm a cancelling order',
      { status: 'CANCELLING', paymentStatus: 'AUTHORIZED', stockStatus: 'RESERVED' },
      {},
    ],
    ['waits for the stock answer while cancelling', { status: 'CANCELLING', paymentStatus: 'REFUNDED' }, {}],
    ['waits for the payment answer while cancelling', { status: 'CANCELLING', stockStatus: 'RELEASED' }, {}],
    [
      'completes a cancellation when both answered',
      { status: 'CANCELLING', paymentStatus: 'FAILED', stockStatus: 'RELEASED' },
      { status: 'CANCELLED' },
    ],
    [
      'leaves a cancelled order alone',
      { status: 'CANCELLED', paymentStatus: 'AUTHORIZED', stockStatus: 'RESERVED' },
      {},
    ],
  ])('%s', (_case, state, expected) => {
    expect(saga.decide(order(state))).toEqual(expected);
  });
});
