import { loadSeed } from '@saga/platform';
import { DEMO_ACCOUNTS } from './demo-seed';
import { SeedAccount } from './seed-accounts';

/**
 * The accounts to seed at boot, from the `accounts` key of `SEED_FILE` (unset: the demo's; `none`: none).
 * Throws a ConfigError naming `SEED_FILE` when the file is not valid.
 */
export function loadSeedAccounts(env: Record<string, string | undefined>): readonly SeedAccount[] {
  return loadSeed(env, {
    key: 'accounts',
    item: SeedAccount,
    idOf: (item) => item.customerId,
    idName: 'customerId',
    demo: DEMO_ACCOUNTS,
  });
}
