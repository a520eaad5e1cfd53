import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { Cents, Currency, CustomerId } from '@saga/contracts';

/** One account to seed: its opening balance is the given balance. */
export const SeedAccount = z.object({ customerId: CustomerId, balanceCents: Cents, currency: Currency });

/** An account to seed. */
export type SeedAccount = z.output<typeof SeedAccount>;

/**
 * Inserts the accounts that are missing, in the caller's transaction, and returns how many it added.
 * An existing account is left exactly as it is (its balance has moved since), so seeding on every
 * boot changes nothing after the first.
 */
export async function seedAccounts(
  manager: EntityManager,
  accounts: readonly SeedAccount[],
): Promise<number> {
  if (accounts.length === 0) return 0;
  const inserted = await manager.query<unknown[]>(
    `INSERT INTO accounts (customer_id, currency, opening_balance_cents, balance_cents)
     SELECT customer_id, currency, balance, balance
     FROM unnest($1::text[], $2::text[], $3::bigint[]) AS seed (customer_id, currency, balance)
     ON CONFLICT (customer_id) DO NOTHING
     RETURNING customer_id`,
    [accounts.map((a) => a.customerId), accounts.map((a) => a.currency), accounts.map((a) => a.balanceCents)],
  );
  return inserted.length;
}
