import type { SeedProduct } from './seed-products';

/**
 * The products the demo starts with when `SEED_FILE` is unset. The README's walkthrough refers to the
 * first five: MONITOR-27 runs out after three, LAPTOP-PRO is never in stock. The rest are for
 * `npm run demo:traffic`: common products with stock for a long run of orders, and three scarce ones
 * (5–20 units) that sell out during the first minute, so out-of-stock shows up among confirmations.
 */
export const DEMO_PRODUCTS: readonly SeedProduct[] = [
  { sku: 'KEYBOARD-01', name: 'Mechanical keyboard', priceCents: 8_900, currency: 'EUR', stock: 25 },
  { sku: 'MOUSE-01', name: 'Wireless mouse', priceCents: 2_900, currency: 'EUR', stock: 50 },
  { sku: 'USB-C-CABLE', name: 'USB-C cable', priceCents: 990, currency: 'EUR', stock: 200 },
  { sku: 'MONITOR-27', name: '27-inch monitor', priceCents: 24_900, currency: 'EUR', stock: 3 },
  { sku: 'LAPTOP-PRO', name: 'Laptop Pro 14', priceCents: 189_900, currency: 'EUR', stock: 0 },
  {
    sku: 'HEADPHONES-01',
    name: 'Noise-cancelling headphones',
    priceCents: 19_900,
    currency: 'EUR',
    stock: 20_000,
  },
  { sku: 'WEBCAM-HD', name: 'HD webcam', priceCents: 5_900, currency: 'EUR', stock: 20_000 },
  { sku: 'SSD-1TB', name: '1 TB NVMe SSD', priceCents: 9_900, currency: 'EUR', stock: 20_000 },
  { sku: 'LAPTOP-STAND', name: 'Aluminium laptop stand', priceCents: 3_900, currency: 'EUR', stock: 20_000 },
  { sku: 'USB-HUB-7', name: '7-port USB hub', priceCents: 2_500, currency: 'EUR', stock: 20_000 },
  { sku: 'DOCK-TB4', name: 'Thunderbolt 4 dock', priceCents: 27_900, currency: 'EUR', stock: 20 },
  { sku: 'GRAPHICS-24G', name: 'Graphics card 24 GB', priceCents: 169_900, currency: 'EUR', stock: 8 },
  { sku: 'CONSOLE-LTD', name: 'Limited-edition console', priceCents: 54_900, currency: 'EUR', stock: 5 },
];
