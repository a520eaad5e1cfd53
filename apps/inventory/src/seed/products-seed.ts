import type { BootSeed } from '@saga/platform';
import { DEMO_PRODUCTS } from './demo-seed';
import { SeedProduct, seedProducts } from './seed-products';

/**
 * What the inventory service seeds at boot: the `products` key of `SEED_FILE` (unset: the demo's;
 * `none`: none), each inserted (and published to the catalog) unless its SKU exists already.
 */
export const PRODUCTS_SEED: BootSeed<SeedProduct> = {
  key: 'products',
  item: SeedProduct,
  idOf: (item) => item.sku,
  idName: 'sku',
  demo: DEMO_PRODUCTS,
  insert: seedProducts,
};
