import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseEnv } from '@saga/platform';
import { DEMO_ACCOUNTS } from './demo-seed';
import { SeedAccount } from './seed-accounts';

/**
 * The seed file's shape as far as payment reads it: the `accounts` key (missing = nothing to seed).
 * Other keys (`products`, for inventory) are ignored.
 */
const SeedFile = z.object({
  accounts: z
    .array(SeedAccount)
    .default([])
    .refine((accounts) => new Set(accounts.map((a) => a.customerId)).size === accounts.length, {
      message: 'lists a customerId twice',
    }),
});

const SeedEnv = z.object({ SEED_FILE: z.string().min(1).optional() });

/**
 * The accounts to seed at boot, from `SEED_FILE`: unset → the demo accounts; `none` → none; else the
 * path of a JSON file. Throws a {@link ConfigError} naming `SEED_FILE` when the file cannot be read or
 * is not valid, so the service refuses to boot instead of running with half its data.
 */
export function loadSeedAccounts(env: Record<string, string | undefined>): readonly SeedAccount[] {
  const { SEED_FILE: path } = parseEnv(SeedEnv, env);
  if (path === undefined) return DEMO_ACCOUNTS;
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
  return result.data.accounts;
}
