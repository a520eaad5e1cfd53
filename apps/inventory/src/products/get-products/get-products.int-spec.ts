import request from 'supertest';
import { useHttpQueryApp } from '../../../../../test/fixtures/integration';
import { InventoryInitialSchema1795300000000 } from '../../migrations/1795300000000-inventory-initial-schema';
import { GetProductsController } from './get-products.controller';
import { GetProductsService } from './get-products.service';

describe('GET /products', () => {
  const api = useHttpQueryApp('inventory_products_api', [InventoryInitialSchema1795300000000], {
    controllers: [GetProductsController],
    providers: [GetProductsService],
  });

  const get = (path: string) => request(api.server()).get(path);

  beforeAll(async () => {
    await api.dataSource.query(
      `INSERT INTO products (sku, name, price_cents, currency, status, available, reserved, stocked) VALUES
         ('MOUSE-01', 'Wireless mouse', 2900, 'EUR', 'ACTIVE', 48, 2, 50),
         ('KEYBOARD-01', 'Mechanical keyboard', 8900, 'EUR', 'DISCONTINUED', 25, 0, 25)`,
    );
  });

  it('lists every product in SKU order, with its stock', async () => {
    // Act
    const response = await get('/products');

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      {
        sku: 'KEYBOARD-01',
        name: 'Mechanical keyboard',
        priceCents: 8900,
        currency: 'EUR',
        status: 'DISCONTINUED',
        available: 25,
        reserved: 0,
      },
      {
        sku: 'MOUSE-01',
        name: 'Wireless mouse',
        priceCents: 2900,
        currency: 'EUR',
        status: 'ACTIVE',
        available: 48,
        reserved: 2,
      },
    ]);
  });

  it('answers one product by its SKU', async () => {
    // Act
    const response = await get('/products/MOUSE-01');

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      sku: 'MOUSE-01',
      name: 'Wireless mouse',
      priceCents: 2900,
      currency: 'EUR',
      status: 'ACTIVE',
      available: 48,
      reserved: 2,
    });
  });

  it('answers an unknown SKU with a problem+json 404', async () => {
    // Act
    const response = await get('/products/NO-SUCH-SKU');

    // Assert
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, detail: 'no product NO-SUCH-SKU' });
  });

  it('answers a malformed SKU with a problem+json 400 naming the problem', async () => {
    // Act
    const response = await get('/products/mouse%2001');

    // Assert
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.detail).toMatch(/^invalid sku: .*upper-case letters, digits and dashes/);
  });
});
