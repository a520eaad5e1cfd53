import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { OrderInitialSchema1795300000000 } from '../migrations/1795300000000-order-initial-schema';
import { findCatalogProducts, upsertCatalogProduct } from './catalog-product';

const product = (priceCents: number) => ({
  sku: 'LAMP',
  name: 'Lamp',
  priceCents,
  currency: 'EUR',
  available: 3,
  status: 'ACTIVE' as const,
});

describe('upsertCatalogProduct (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('order_catalog');
    dataSource = await createTestDataSource(database.url, [OrderInitialSchema1795300000000]);
  });

  beforeEach(() => dataSource.query('DELETE FROM catalog_products'));

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const price = async () => (await findCatalogProducts(dataSource, ['LAMP']))[0]?.priceCents;

  it('applies changes in order', async () => {
    // Act
    await upsertCatalogProduct(dataSource, product(100), { time: '2026-11-22T10:00:00.000Z', offset: '4' });
    await upsertCatalogProduct(dataSource, product(120), { time: '2026-11-22T10:00:01.000Z', offset: '9' });

    // Assert
    await expect(price()).resolves.toBe(120);
  });

  it('ignores an older change replayed at a newer offset (a dead letter sent back)', async () => {
    // Arrange
    await upsertCatalogProduct(dataSource, product(120), { time: '2026-11-22T10:00:01.000Z', offset: '9' });

    // Act
    await upsertCatalogProduct(dataSource, product(100), { time: '2026-11-22T10:00:00.000Z', offset: '57' });

    // Assert
    await expect(price()).resolves.toBe(120);
  });

  it('orders two changes of the same millisecond by offset', async () => {
    // Act
    await upsertCatalogProduct(dataSource, product(100), { time: '2026-11-22T10:00:00.000Z', offset: '4' });
    await upsertCatalogProduct(dataSource, product(130), { time: '2026-11-22T10:00:00.000Z', offset: '5' });
    await upsertCatalogProduct(dataSource, product(100), { time: '2026-11-22T10:00:00.000Z', offset: '4' });

    // Assert
    await expect(price()).resolves.toBe(130);
  });
});
