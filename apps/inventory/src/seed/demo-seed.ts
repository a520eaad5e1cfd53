import type { SeedProduct } from './seed-products';

/**
 * The products the demo starts with when `SEED_FILE` is unset. The README's walkthrough refers to
 * them: MONITOR-27 runs out after three, LAPTOP-PRO is never in stock.
 */
export const DEMO_PRODUCTS: readonly SeedProduct[] = [
  { sku: 'KEYBOARD-01', name: 'Mechanical keyboard', priceCents: 8_900, currency: 'EUR', stock: 25 },
  { sku: 'MOUSE-01', name: 'Wireless mouse', priceCents: 2_900, currency: 'EUR', stock: 50 },
  { sku: 'USB-C-CABLE', name: 'USB-C cable', priceCents: 990, currency: 'EUR', stock: 200 },
  { sku: 'MONITOR-27', name: '27-inch monitor', priceCents: 24_900, currency: 'EUR', stock: 3 },
  { sku: 'LAPTOP-PRO', name: 'Laptop Pro 14', priceCents: 189_900, currency: 'EUR', stock: 0 },
];
