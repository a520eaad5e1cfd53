import { SeedAtBoot } from '@saga/platform';
import { readOutbox } from '@saga/test-kit';
import { useMigratedDatabase } from '../../../../test/fixtures/integration';
import { InventoryInitialSchema1795300000000 } from '../migrations/1795300000000-inventory-initial-schema';
import { DEMO_PRODUCTS } from './demo-seed';
import { PRODUCTS_SEED } from './products-seed';

describe('seeding the products at boot', () => {
  const db = useMigratedDatabase('inventory_seed', [InventoryInitialSchema1795300000000]);

  const outbox = () => readOutbox(db.dataSource);

  it('inserts the demo products with all their stock available and publishes a ProductUpdated for each', async () => {
    // Act
    await new SeedAtBoot(db.dataSource, PRODUCTS_SEED, DEMO_PRODUCTS).onApplicationBootstrap();

    // Assert
    const products = await db.dataSource.query<Record<string, unknown>[]>(
      'SELECT sku, name, price_cents, currency, status, available, reserved, stocked FROM products ORDER BY sku',
    );
    expect(products).toHaveLength(DEMO_PRODUCTS.length);
    expect(products).toEqual(
      expect.arrayContaining([
        {
          sku: 'KEYBOARD-01',
          name: 'Mechanical keyboard',
          price_cents: '8900',
          currency: 'EUR',
          status: 'ACTIVE',
          available: 25,
          reserved: 0,
          stocked: 25,
        },
        expect.objectContaining({ sku: 'LAPTOP-PRO', price_cents: '189900', available: 0, stocked: 0 }),
        expect.objectContaining({ sku: 'MONITOR-27', price_cents: '24900', available: 3, stocked: 3 }),
        expect.objectContaining({ sku: 'MOUSE-01', price_cents: '2900', available: 50, stocked: 50 }),
        expect.objectContaining({ sku: 'USB-C-CABLE', price_cents: '990', available: 200, stocked: 200 }),
      ]),
    );
    const events = await outbox();
    expect(events.map((event) => event.data.sku)).toEqual(products.map((product) => product.sku));
    expect(events.find((event) => event.data.sku === 'KEYBOARD-01')).toEqual({
      type: 'catalog.product-updated.v2',
      data: {
        sku: 'KEYBOARD-01',
        name: 'Mechanical keyboard',
        priceCents: 8900,
        currency: 'EUR',
        available: 25,
        status: 'ACTIVE',
      },
    });
  });

  it('changes and publishes nothing on a second boot, even after stock has moved', async () => {
    // Arrange
    await db.dataSource.query("UPDATE products SET available = 2, reserved = 1 WHERE sku = 'MONITOR-27'");
    const before = await db.dataSource.query('SELECT * FROM products ORDER BY sku');
    const published = (await outbox()).length;

    // Act
    await new SeedAtBoot(db.dataSource, PRODUCTS_SEED, DEMO_PRODUCTS).onApplicationBootstrap();

    // Assert
    await expect(db.dataSource.query('SELECT * FROM products ORDER BY sku')).resolves.toEqual(before);
    await expect(outbox()).resolves.toHaveLength(published);
  });

  it('adds and publishes only the products that are missing', async () => {
    // Arrange
    const published = (await outbox()).length;
    const desk = { sku: 'DESK-01', name: 'Standing desk', priceCents: 49_900, currency: 'EUR', stock: 4 };

    // Act
    await new SeedAtBoot(db.dataSource, PRODUCTS_SEED, [...DEMO_PRODUCTS, desk]).onApplicationBootstrap();

    // Assert
    const events = (await outbox()).slice(published);
    expect(events).toEqual([
      {
        type: 'catalog.product-updated.v2',
        data: {
          sku: 'DESK-01',
          name: 'Standing desk',
          priceCents: 49_900,
          currency: 'EUR',
          available: 4,
          status: 'ACTIVE',
        },
      },
    ]);
  });
});
