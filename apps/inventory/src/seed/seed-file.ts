import { loadSeed } from '@saga/platform';
import { DEMO_PRODUCTS } from './demo-seed';
import { SeedProduct } from './seed-products';

/**
 * The products to seed at boot, from the `products` key of `SEED_FILE` (unset: the demo's; `none`: none).
 * Throws a ConfigError naming `SEED_FILE` when the file is not valid.
 */
export function loadSeedProducts(env: Record<string, string | undefined>): readonly SeedProduct[] {
  return loadSeed(env, {
    key: 'products',
    item: SeedProduct,
    idOf: (item) => item.sku,
    idName: 'sku',
    demo: DEMO_PRODUCTS,
  });
}
