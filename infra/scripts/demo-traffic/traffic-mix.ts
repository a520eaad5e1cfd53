import type { SeedAccount } from '../../../apps/payment/src/seed/seed-accounts';
import type { SeedProduct } from '../../../apps/inventory/src/seed/seed-products';

/** What an order is meant to show. The platform decides what it really does; the summary reports that. */
export type Intent = 'happy' | 'declined' | 'out of stock' | 'cancel';

/** When the customer cancels: racing the saga, a little later, or after the confirmation. */
export type CancelMoment = 'at once' | 'after a delay' | 'once confirmed';

/** One order to place: the `POST /orders` body, and the cancellation to send after it, if any. */
export interface PlannedOrder {
  readonly intent: Intent;
  readonly request: { customerId: string; items: { sku: string; quantity: number }[] };
  readonly cancel?: { readonly moment: CancelMoment; readonly delayMs: number };
}

/** The customers and products the traffic draws from: the demo seeds, or a test's copy of them. */
export interface DemoWorld {
  readonly accounts: readonly SeedAccount[];
  readonly products: readonly SeedProduct[];
}

/** Share of each intent in the mix: mostly happy, with every unhappy path well represented. */
const WEIGHTS: readonly [Intent, number][] = [
  ['happy', 0.5],
  ['declined', 0.2],
  ['out of stock', 0.15],
  ['cancel', 0.15],
];
/** A customer with at least this much (€10,000) can keep paying through a long run. */
const RICH_CENTS = 1_000_000;
/** A customer with less than this (€100) is declined for about anything. */
const POOR_CENTS = 10_000;
/** A product with this much stock does not run out during a run; scarce ones have 1 to 20. */
const PLENTY = 1_000;
const SCARCE = 20;

/** The seeds sorted into the pools each intent draws from. */
export interface TrafficMix {
  /** The catalog's currency: customers holding another one are declined (CURRENCY_MISMATCH). */
  readonly currency: string;
  readonly rich: readonly SeedAccount[];
  readonly modest: readonly SeedAccount[];
  readonly broke: readonly SeedAccount[];
  readonly common: readonly SeedProduct[];
  readonly scarce: readonly SeedProduct[];
  readonly soldOut: readonly SeedProduct[];
}

/**
 * Sorts the world's customers and products into pools, by the catalog's currency (that of most
 * products), balances and stock. Throws when a pool an intent needs is empty: the seeds changed.
 */
export function trafficMix({ accounts, products }: DemoWorld): TrafficMix {
  const currency = mostCommon(products.map((product) => product.currency));
  const local = accounts.filter((account) => account.currency === currency);
  const mix: TrafficMix = {
    currency,
    rich: local.filter((account) => account.balanceCents >= RICH_CENTS),
    modest: local.filter((a) => a.balanceCents >= POOR_CENTS && a.balanceCents < RICH_CENTS),
    // Foreign-currency customers are declined whatever they buy (CURRENCY_MISMATCH).
    broke: [
      ...local.filter((a) => a.balanceCents < POOR_CENTS),
      ...accounts.filter((a) => a.currency !== currency),
    ],
    common: products.filter((product) => product.currency === currency && product.stock >= PLENTY),
    scarce: products.filter((product) => product.stock > 0 && product.stock <= SCARCE),
    soldOut: products.filter((product) => product.stock === 0),
  };
  const empty = (['rich', 'broke', 'common', 'soldOut'] as const).filter((pool) => mix[pool].length === 0);
  if (empty.length > 0) throw new Error(`the demo seeds have no ${empty.join(', ')} to make traffic with`);
  return mix;
}

/** Draws the next order of the mix; `random` is uniform in [0, 1) (seeded, so a run can be replayed). */
export function planOrder(mix: TrafficMix, random: () => number): PlannedOrder {
  const intent = pickIntent(random());
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  switch (intent) {
    case 'declined': {
      const customer = pick(mix.broke);
      const product = pick(mix.common);
      // Enough units to cost more than the whole balance, so the decline does not depend on timing.
      const quantity =
        customer.currency === mix.currency ? Math.floor(customer.balanceCents / product.priceCents) + 1 : 1;
      return {
        intent,
        request: { customerId: customer.customerId, items: [{ sku: product.sku, quantity }] },
      };
    }
    case 'out of stock': {
      const scarce = mix.scarce.length > 0 && random() < 0.5;
      const product = scarce ? pick(mix.scarce) : pick(mix.soldOut);
      const items = [{ sku: product.sku, quantity: 1 + Math.floor(random() * 2) }];
      // Sometimes with an available line too: the reservation is all or none.
      if (random() < 0.3) items.push({ sku: pick(mix.common).sku, quantity: 1 });
      return { intent, request: { customerId: pick(mix.rich).customerId, items } };
    }
    case 'cancel': {
      const moment = pick(['at once', 'after a delay', 'once confirmed'] as const);
      const delayMs = moment === 'after a delay' ? 50 + Math.floor(random() * 2_000) : 0;
      return { intent, request: basket(mix, mix.rich, pick, random), cancel: { moment, delayMs } };
    }
    default: {
      // Now and then a customer of modest means, who runs dry as the run goes on.
      const customers = mix.modest.length > 0 && random() < 0.1 ? mix.modest : mix.rich;
      return { intent, request: basket(mix, customers, pick, random) };
    }
  }
}

/** One to three different common products, one to three of each. */
function basket(
  mix: TrafficMix,
  customers: readonly SeedAccount[],
  pick: <T>(items: readonly T[]) => T,
  random: () => number,
): PlannedOrder['request'] {
  const lines = new Map<string, number>();
  const count = 1 + Math.floor(random() * 3);
  for (let line = 0; line < count; line += 1) lines.set(pick(mix.common).sku, 1 + Math.floor(random() * 3));
  return {
    customerId: pick(customers).customerId,
    items: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
  };
}

function pickIntent(draw: number): Intent {
  let left = draw;
  for (const [intent, weight] of WEIGHTS) {
    if (left < weight) return intent;
    left -= weight;
  }
  return 'happy';
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  values.forEach((value) => counts.set(value, (counts.get(value) ?? 0) + 1));
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'EUR';
}

/** A small deterministic PRNG (mulberry32): the same `--seed` places the same orders. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `items` in a random order (Fisher–Yates), drawn from `random` (seeded, so a run can be replayed). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
