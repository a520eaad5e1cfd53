import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES, seededRandom } from './saga-fixtures';

const SAGAS = 100;

/** When a cancellation is fired: at once, or once the order's timeline shows a given step. */
const MOMENTS = ['never', 'at once', 'PLACED', 'PAYMENT_AUTHORIZED', 'STOCK_RESERVED', 'CONFIRMED'] as const;

/**
 * 100 sagas, each cancelled at a moment drawn at random — racing the POST, or right after a given step
 * of its own saga, while the other 99 are in flight on every topic. docs/design.md: whatever the
 * interleaving, the saga ends in the same place, and the invariants hold for all of them.
 */
describe('cancellations at random moments during 100 sagas', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('random-cancel', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it('ends every saga CONFIRMED or CANCELLED with the invariants intact', async () => {
    // Arrange
    const random = seededRandom(4242);
    const plans = Array.from({ length: SAGAS }, () => ({
      moment: MOMENTS[Math.floor(random() * MOMENTS.length)],
      order: {
        customerId: random() < 0.85 ? 'rich' : 'poor',
        items: [
          {
            sku: random() < 0.1 ? 'RARE' : random() < 0.5 ? 'WIDGET' : 'GADGET',
            quantity: 1 + Math.floor(random() * 3),
          },
        ],
      },
    }));

    // Act
    const outcomes = await Promise.all(
      plans.map(async ({ moment, order }) => {
        const placed = await saga.placeOrder(order);
        const orderId = placed.body.orderId;
        let cancel: number | undefined;
        if (moment !== 'never') {
          if (moment !== 'at once') await saga.waitForStep(orderId, moment);
          cancel = (await saga.cancelOrder(orderId, `cancelled ${moment}`)).status;
        }
        return { orderId, moment, cancel };
      }),
    );
    const cancelled = new Map(
      outcomes.filter((o) => o.cancel === 202).map((o) => [o.orderId, 'CANCELLED' as const]),
    );
    const finals = await saga.waitForAllSettled(
      outcomes.map((o) => o.orderId),
      120_000,
      cancelled,
    );
    const report = await saga.audit();

    // Assert
    expect(report.violations).toEqual([]);
    for (const [i, { moment, cancel }] of outcomes.entries()) {
      const final = finals[i];
      // A cancellation is refused only when the saga had already cancelled the order by itself.
      if (cancel === 409)
        expect({ moment, reason: final.reason }).toEqual({
          moment,
          reason: expect.not.stringMatching(/^cancelled /),
        });
      if (cancel === 202) expect({ moment, status: final.status }).toEqual({ moment, status: 'CANCELLED' });
      if (moment === 'never') expect(final.reason ?? '').not.toMatch(/^cancelled /);
    }
    const accepted = outcomes.filter((o) => o.cancel === 202).map((o) => o.moment);
    expect(new Set(accepted)).toEqual(new Set(MOMENTS.filter((m) => m !== 'never')));
    // The race the tombstone is for happened: a cancellation reached inventory before the payment.
    const tombstones = await saga.query(
      'inventory',
      "SELECT order_id FROM reservations WHERE status = 'CANCELLED'",
    );
    expect(tombstones.length).toBeGreaterThan(0);
  });
});
