import type { SeedAccount } from './seed-accounts';

/**
 * The accounts the demo starts with when `SEED_FILE` is unset. The README's walkthrough refers to the
 * first four: alice can pay, bob only a little, carol nothing, dave only in USD (a currency mismatch).
 * `customer-01`…`customer-20` are for `npm run demo:traffic`: a minute of traffic needs customers who
 * can keep paying (01–12), some who soon cannot (13–15), some who never can (16–19), and one more in
 * USD (20), so that every outcome shows, not only declines.
 */
export const DEMO_ACCOUNTS: readonly SeedAccount[] = [
  { customerId: 'alice', balanceCents: 100_000, currency: 'EUR' },
  { customerId: 'bob', balanceCents: 5_000, currency: 'EUR' },
  { customerId: 'carol', balanceCents: 0, currency: 'EUR' },
  { customerId: 'dave', balanceCents: 20_000, currency: 'USD' },
  { customerId: 'customer-01', balanceCents: 25_000_000, currency: 'EUR' },
  { customerId: 'customer-02', balanceCents: 18_000_000, currency: 'EUR' },
  { customerId: 'customer-03', balanceCents: 12_000_000, currency: 'EUR' },
  { customerId: 'customer-04', balanceCents: 9_000_000, currency: 'EUR' },
  { customerId: 'customer-05', balanceCents: 7_500_000, currency: 'EUR' },
  { customerId: 'customer-06', balanceCents: 6_000_000, currency: 'EUR' },
  { customerId: 'customer-07', balanceCents: 5_000_000, currency: 'EUR' },
  { customerId: 'customer-08', balanceCents: 4_000_000, currency: 'EUR' },
  { customerId: 'customer-09', balanceCents: 3_000_000, currency: 'EUR' },
  { customerId: 'customer-10', balanceCents: 2_500_000, currency: 'EUR' },
  { customerId: 'customer-11', balanceCents: 2_000_000, currency: 'EUR' },
  { customerId: 'customer-12', balanceCents: 1_500_000, currency: 'EUR' },
  { customerId: 'customer-13', balanceCents: 80_000, currency: 'EUR' },
  { customerId: 'customer-14', balanceCents: 30_000, currency: 'EUR' },
  { customerId: 'customer-15', balanceCents: 12_000, currency: 'EUR' },
  { customerId: 'customer-16', balanceCents: 4_000, currency: 'EUR' },
  { customerId: 'customer-17', balanceCents: 1_500, currency: 'EUR' },
  { customerId: 'customer-18', balanceCents: 500, currency: 'EUR' },
  { customerId: 'customer-19', balanceCents: 250, currency: 'EUR' },
  { customerId: 'customer-20', balanceCents: 1_000_000, currency: 'USD' },
];
