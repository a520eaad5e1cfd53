import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseEnv } from '@saga/platform';
import { DEMO_PRODUCTS } from './demo-seed';
import { SeedProduct } from './seed-products';

/**
 * The seed file's shape as far as inventory reads it: the `products` key (missing = nothing to seed).
 * Other keys (`accounts`, for payment) are ignored.
 */
const SeedFile = z.object({
  products: z
    .array(SeedProduct)
    .default([])
    .refine((products) => new Set(products.map((p) => p.sku)).size === products.length, {
      message: 'lists a sku twice',
    }),
});

const SeedEnv = z.object({ SEED_FILE: z.string().min(1).optional() });

/**
 * The products to seed at boot, from `SEED_FILE`: unset → the demo products; `none` → none; else the
 * path of a JSON file. Throws a {@link ConfigError} naming `SEED_FILE` when the file cannot be read or
 * is not valid, so the service refuses to boot instead of running with half its catalog.
 */
export function loadSeedProducts(env: Record<string, string | undefined>): readonly SeedProduct[] {
  const { SEED_FILE: path } = parseEnv(SeedEnv, env);
  if (path === undefined) return DEMO_PRODUCTS;
  if (path === 'none') return [];
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`SEED_FILE: cannot read ${path} as JSON: ${(error as Error).message}`]);
  }
  const result = SeedFile.safeParse(content);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new ConfigError([`SEED_FILE: ${path} is not a valid seed file: ${problems.join('; ')}`]);
  }
  return result.data.products;
}
