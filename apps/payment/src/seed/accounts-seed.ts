import type { BootSeed } from '@saga/platform';
import { DEMO_ACCOUNTS } from './demo-seed';
import { SeedAccount, seedAccounts } from './seed-accounts';

/**
 * What the payment service seeds at boot: the `accounts` key of `SEED_FILE` (unset: the demo's; `none`:
 * none), each inserted unless its customer has an account already.
 */
export const ACCOUNTS_SEED: BootSeed<SeedAccount> = {
  key: 'accounts',
  item: SeedAccount,
  idOf: (item) => item.customerId,
  idName: 'customerId',
  demo: DEMO_ACCOUNTS,
  insert: seedAccounts,
};
