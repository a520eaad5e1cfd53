import type { SeedAccount } from './seed-accounts';

/**
 * The accounts the demo starts with when `SEED_FILE` is unset. The README's walkthrough refers to
 * them: alice can pay, bob only a little, carol nothing, dave only in USD (a currency mismatch).
 */
export const DEMO_ACCOUNTS: readonly SeedAccount[] = [
  { customerId: 'alice', balanceCents: 100_000, currency: 'EUR' },
  { customerId: 'bob', balanceCents: 5_000, currency: 'EUR' },
  { customerId: 'carol', balanceCents: 0, currency: 'EUR' },
  { customerId: 'dave', balanceCents: 20_000, currency: 'USD' },
];
