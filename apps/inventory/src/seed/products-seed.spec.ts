import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSeed } from '@saga/platform';
import { DEMO_PRODUCTS } from './demo-seed';
import { PRODUCTS_SEED } from './products-seed';

const loadSeedProducts = (env: Record<string, string | undefined>) => loadSeed(env, PRODUCTS_SEED);

describe('the products section of SEED_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inventory-seed-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const product = { sku: 'DESK-01', name: 'Standing desk', priceCents: 49_900, currency: 'EUR', stock: 4 };

  it('seeds the demo products when SEED_FILE is unset', () => {
    expect(loadSeedProducts({})).toBe(DEMO_PRODUCTS);
  });

  it('seeds nothing when SEED_FILE is none', () => {
    expect(loadSeedProducts({ SEED_FILE: 'none' })).toEqual([]);
  });

  it("reads the file's products and ignores the accounts", () => {
    // Arrange
    const path = file('both.json', {
      accounts: [{ customerId: 'zoe', balanceCents: 1, currency: 'EUR' }],
      products: [product],
    });

    // Act
    const products = loadSeedProducts({ SEED_FILE: path });

    // Assert
    expect(products).toEqual([product]);
  });

  it('seeds nothing from a file without products', () => {
    expect(loadSeedProducts({ SEED_FILE: file('accounts-only.json', { accounts: [] }) })).toEqual([]);
  });

  it.each([
    ['a missing file', join(dir, 'missing.json'), /SEED_FILE: cannot read .*missing\.json as JSON/],
    ['malformed JSON', 'broken.json', /SEED_FILE: cannot read .*broken\.json as JSON/],
    ['a bad sku', 'bad-sku.json', /SEED_FILE: .*bad-sku\.json is not a valid seed file: products\.0\.sku: /],
    ['a negative stock', 'negative.json', /SEED_FILE: .* products\.0\.stock: /],
    ['a sku listed twice', 'twice.json', /SEED_FILE: .* products: lists a sku twice/],
  ])('refuses %s with a message naming SEED_FILE', (_, name, message) => {
    // Arrange
    const contents: Record<string, unknown> = {
      'broken.json': '{ "products": [',
      'bad-sku.json': { products: [{ ...product, sku: 'desk 1' }] },
      'negative.json': { products: [{ ...product, stock: -1 }] },
      'twice.json': { products: [product, product] },
    };
    const path = name in contents ? file(name, contents[name]) : name;

    // Act
    const load = () => loadSeedProducts({ SEED_FILE: path });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
