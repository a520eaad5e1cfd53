import { TrackedOrder } from './tracked-order';
import type { PlannedOrder } from './traffic-mix';
import { outcomeOf, percentile, summarize } from './traffic-summary';

const plan = (intent: PlannedOrder['intent'], cancel?: PlannedOrder['cancel']): PlannedOrder => ({
  intent,
  request: { customerId: 'alice', items: [{ sku: 'MOUSE-01', quantity: 1 }] },
  cancel,
});
const view = (status: 'PENDING' | 'CONFIRMED' | 'CANCELLED', reason?: string, ms = 100) => ({
  orderId: 'o',
  status,
  reason,
  timeline: [
    { step: 'PLACED', at: '2025-01-01T00:00:00.000Z' },
    { step: status, at: new Date(Date.parse('2025-01-01T00:00:00.000Z') + ms).toISOString() },
  ],
});

describe('traffic summary', () => {
  it.each([
    ['CONFIRMED', undefined, 'CONFIRMED'],
    ['CANCELLED', 'payment declined: INSUFFICIENT_FUNDS', 'declined: INSUFFICIENT_FUNDS'],
    ['CANCELLED', 'payment declined: CURRENCY_MISMATCH', 'declined: CURRENCY_MISMATCH'],
    ['CANCELLED', 'stock reservation failed: OUT_OF_STOCK LAPTOP-PRO ×1', 'out of stock'],
    ['CANCELLED', 'stock reservation failed: UNKNOWN_SKU', 'stock: UNKNOWN_SKU'],
    ['CANCELLED', 'cancelled by the customer', 'cancelled by the customer'],
    ['CANCELLED', null, 'cancelled'],
  ])('counts %s with reason %j as %j', (status, reason, outcome) => {
    // Act + Assert
    expect(outcomeOf(status, reason)).toBe(outcome);
  });

  it('takes the nearest-rank percentile', () => {
    // Act + Assert
    expect([50, 95, 100].map((p) => percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p))).toEqual([5, 10, 10]);
  });

  it('counts outcomes, cancellations, unsettled orders and latency', () => {
    // Arrange
    const confirmed = new TrackedOrder('a', plan('happy'));
    confirmed.observe(view('CONFIRMED', undefined, 80));
    const declined = new TrackedOrder('b', plan('declined'));
    declined.observe(view('CANCELLED', 'payment declined: INSUFFICIENT_FUNDS', 40));
    const cancelled = new TrackedOrder('c', plan('cancel', { moment: 'at once', delayMs: 0 }));
    cancelled.cancelState = 'accepted';
    cancelled.observe(view('CANCELLED', 'cancelled by the customer', 300));
    const awaitingCancel = new TrackedOrder('d', plan('cancel', { moment: 'once confirmed', delayMs: 0 }));
    awaitingCancel.observe(view('CONFIRMED'));
    const skipped = new TrackedOrder('e', plan('cancel', { moment: 'once confirmed', delayMs: 0 }));
    skipped.observe(view('CANCELLED', 'payment declined: INSUFFICIENT_FUNDS', 60));

    // Act
    const summary = summarize([confirmed, declined, cancelled, awaitingCancel, skipped], {
      seed: 1,
      httpErrors: 0,
      deferred: 0,
      errors: [],
      placingS: 2,
      interrupted: false,
    });

    // Assert
    expect(summary).toMatchObject({
      placed: 5,
      intents: { happy: 1, declined: 1, 'out of stock': 0, cancel: 3 },
      confirmed: 1,
      cancelled: { 'declined: INSUFFICIENT_FUNDS': 2, 'cancelled by the customer': 1 },
      cancellations: { requested: 1, accepted: 1, refused: 0 },
      unsettled: 1,
      achievedRate: 2.5,
      latencyMs: { p50: 60, p95: 300, max: 300 },
      orderIds: ['a', 'b', 'c', 'd', 'e'],
    });
  });
});
