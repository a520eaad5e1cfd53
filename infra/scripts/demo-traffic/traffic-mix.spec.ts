import { DEMO_PRODUCTS } from '../../../apps/inventory/src/seed/demo-seed';
import { DEMO_ACCOUNTS } from '../../../apps/payment/src/seed/demo-seed';
import { planOrder, seededRandom, trafficMix, type PlannedOrder } from './traffic-mix';

const world = { accounts: DEMO_ACCOUNTS, products: DEMO_PRODUCTS };
const draw = (count: number, seed = 1): PlannedOrder[] => {
  const mix = trafficMix(world);
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => planOrder(mix, random));
};
const account = (id: string) => DEMO_ACCOUNTS.find((a) => a.customerId === id)!;
const product = (sku: string) => DEMO_PRODUCTS.find((p) => p.sku === sku)!;

describe('the demo traffic mix', () => {
  it('draws every intent and every cancellation moment from the demo seeds', () => {
    // Act
    const plans = draw(1_000);

    // Assert
    const intents = new Set(plans.map((plan) => plan.intent));
    expect([...intents].sort()).toEqual(['cancel', 'declined', 'happy', 'out of stock']);
    const moments = new Set(plans.flatMap((plan) => plan.cancel?.moment ?? []));
    expect([...moments].sort()).toEqual(['after a delay', 'at once', 'once confirmed']);
    expect(plans.filter((plan) => plan.intent === 'happy').length).toBeGreaterThan(400);
  });

  it('declines for certain: more than the balance, or the wrong currency', () => {
    // Act
    const declined = draw(1_000).filter((plan) => plan.intent === 'declined');

    // Assert
    for (const { request } of declined) {
      const customer = account(request.customerId);
      const cost = request.items.reduce((sum, i) => sum + i.quantity * product(i.sku).priceCents, 0);
      expect({ request, declines: customer.currency !== 'EUR' || cost > customer.balanceCents }).toEqual({
        request,
        declines: true,
      });
    }
  });

  it('buys available products for those who can pay, and sold-out or scarce ones to run out', () => {
    // Act
    const plans = draw(1_000);

    // Assert
    for (const { intent, request } of plans.filter((plan) => plan.intent !== 'declined')) {
      const stocks = request.items.map((item) => product(item.sku).stock);
      expect(account(request.customerId).balanceCents).toBeGreaterThanOrEqual(10_000);
      if (intent === 'out of stock') expect(Math.min(...stocks)).toBeLessThanOrEqual(20);
      else expect(Math.min(...stocks)).toBeGreaterThanOrEqual(1_000);
      expect(new Set(request.items.map((item) => item.sku)).size).toBe(request.items.length);
    }
  });

  it('places the same orders for the same seed', () => {
    // Act + Assert
    expect(draw(50, 99)).toEqual(draw(50, 99));
    expect(draw(50, 99)).not.toEqual(draw(50, 100));
  });

  it('says which pool is missing when the seeds cannot make the mix', () => {
    // Act + Assert
    expect(() => trafficMix({ accounts: DEMO_ACCOUNTS, products: [product('KEYBOARD-01')] })).toThrow(
      'the demo seeds have no common, soldOut to make traffic with',
    );
  });
});
