import { SeedAtBoot } from '@saga/platform';
import { useMigratedDatabase } from '../../../../test/fixtures/integration';
import { PaymentInitialSchema1795300000000 } from '../migrations/1795300000000-payment-initial-schema';
import { ACCOUNTS_SEED } from './accounts-seed';
import { DEMO_ACCOUNTS } from './demo-seed';

describe('seeding the accounts at boot (real PostgreSQL)', () => {
  const db = useMigratedDatabase('payment_seed', [PaymentInitialSchema1795300000000]);

  const accounts = () =>
    db.dataSource.query<Record<string, unknown>[]>(
      `SELECT customer_id, currency, opening_balance_cents::int AS opening, balance_cents::int AS balance
       FROM accounts ORDER BY customer_id`,
    );

  it('inserts the missing accounts only: seeding again, after balances moved, changes nothing', async () => {
    // Arrange
    const seeder = new SeedAtBoot(db.dataSource, ACCOUNTS_SEED, DEMO_ACCOUNTS);

    // Act
    await seeder.onApplicationBootstrap();
    const first = await accounts();
    await db.dataSource.query("UPDATE accounts SET balance_cents = 1234 WHERE customer_id = 'alice'");
    await seeder.onApplicationBootstrap();

    // Assert
    expect(first).toHaveLength(DEMO_ACCOUNTS.length);
    expect(first).toEqual(
      expect.arrayContaining([
        { customer_id: 'alice', currency: 'EUR', opening: 100000, balance: 100000 },
        { customer_id: 'bob', currency: 'EUR', opening: 5000, balance: 5000 },
        { customer_id: 'carol', currency: 'EUR', opening: 0, balance: 0 },
        { customer_id: 'dave', currency: 'USD', opening: 20000, balance: 20000 },
      ]),
    );
    await expect(accounts()).resolves.toEqual(
      first.map((row) => (row.customer_id === 'alice' ? { ...row, balance: 1234 } : row)),
    );
  });
});
