import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSeed } from '@saga/platform';
import { ACCOUNTS_SEED } from './accounts-seed';
import { DEMO_ACCOUNTS } from './demo-seed';

const loadSeedAccounts = (env: Record<string, string | undefined>) => loadSeed(env, ACCOUNTS_SEED);

describe('the accounts section of SEED_FILE', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'payment-seed-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('seeds the demo accounts when SEED_FILE is unset, and none when it is "none"', () => {
    // Act
    const unset = loadSeedAccounts({});
    const none = loadSeedAccounts({ SEED_FILE: 'none' });

    // Assert
    expect(unset).toBe(DEMO_ACCOUNTS);
    // README's walkthrough names the first four; demo:traffic's customer-01…20 follow.
    expect(unset.map((account) => account.customerId).slice(0, 4)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(none).toEqual([]);
  });

  it("reads the file's accounts, ignoring the products, and a file without accounts seeds none", () => {
    // Arrange
    const both = file(
      'both.json',
      JSON.stringify({
        accounts: [{ customerId: 'erin', balanceCents: 700, currency: 'GBP' }],
        products: [{ sku: 'X-1' }],
      }),
    );
    const productsOnly = file('products.json', JSON.stringify({ products: [] }));

    // Act
    const accounts = loadSeedAccounts({ SEED_FILE: both });
    const noAccounts = loadSeedAccounts({ SEED_FILE: productsOnly });

    // Assert
    expect(accounts).toEqual([{ customerId: 'erin', balanceCents: 700, currency: 'GBP' }]);
    expect(noAccounts).toEqual([]);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), /SEED_FILE: cannot read/],
    ['malformed JSON', () => file('bad.json', '{ "accounts": ['), /SEED_FILE: cannot read .* as JSON/],
    [
      'a negative balance',
      () =>
        file(
          'neg.json',
          JSON.stringify({ accounts: [{ customerId: 'x', balanceCents: -1, currency: 'EUR' }] }),
        ),
      /SEED_FILE: .* accounts\.0\.balanceCents/,
    ],
    [
      'a customer listed twice',
      () =>
        file(
          'twice.json',
          JSON.stringify({
            accounts: [
              { customerId: 'x', balanceCents: 1, currency: 'EUR' },
              { customerId: 'x', balanceCents: 2, currency: 'EUR' },
            ],
          }),
        ),
      /SEED_FILE: .*customerId twice/,
    ],
  ])('fails with a ConfigError naming SEED_FILE for %s', (_what, path, message) => {
    // Arrange
    const env = { SEED_FILE: path() };

    // Act
    const load = () => loadSeedAccounts(env);

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
