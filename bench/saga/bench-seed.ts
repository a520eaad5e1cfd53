import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Customers and products of the bench: many of each, so no one row lock serialises the saga. */
export const BENCH_CUSTOMERS = Array.from(
  { length: 200 },
  (_, i) => `bench-${String(i + 1).padStart(3, '0')}`,
);
export const BENCH_SKUS = Array.from({ length: 100 }, (_, i) => `BENCH-${String(i + 1).padStart(3, '0')}`);

/** Writes the seed file (`SEED_FILE`) of every variant: rich customers, deep stock, all in EUR. */
export function writeBenchSeed(folder: string): string {
  const file = join(folder, 'bench-seed.json');
  const seed = {
    accounts: BENCH_CUSTOMERS.map((customerId) => ({
      customerId,
      balanceCents: 1_000_000_000_000,
      currency: 'EUR',
    })),
    products: BENCH_SKUS.map((sku, i) => ({
      sku,
      name: `Bench product ${i + 1}`,
      priceCents: 500 + i * 10,
      currency: 'EUR',
      stock: 100_000_000,
    })),
  };
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/** The i-th order of a run: a happy-path order (paid, reserved, confirmed, e-mailed) of 1–2 lines. */
export function benchOrder(index: number): {
  customerId: string;
  items: { sku: string; quantity: number }[];
} {
  const sku = (k: number) => BENCH_SKUS[(index * 7 + k * 31) % BENCH_SKUS.length];
  return {
    customerId: BENCH_CUSTOMERS[index % BENCH_CUSTOMERS.length],
    items:
      index % 2 === 0
        ? [{ sku: sku(0), quantity: 1 }]
        : [
            { sku: sku(0), quantity: 1 },
            { sku: sku(1), quantity: 2 },
          ],
  };
}
