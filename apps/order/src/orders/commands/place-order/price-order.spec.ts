import { UnprocessableEntityException } from '@nestjs/common';
import type { CatalogProduct } from '../../../catalog/catalog-product';
import { priceOrder } from './price-order';

const product = (sku: string, priceCents: number, extra: Partial<CatalogProduct> = {}): CatalogProduct => ({
  sku,
  name: sku,
  priceCents,
  currency: 'EUR',
  status: 'ACTIVE',
  ...extra,
});

describe('priceOrder', () => {
  it('prices each line from the catalog and sums the total', () => {
    // Act
    const priced = priceOrder(
      [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
      [product('A', 250), product('B', 1_000)],
    );

    // Assert
    expect(priced).toEqual({
      items: [
        { sku: 'A', quantity: 3, unitPriceCents: 250 },
        { sku: 'B', quantity: 1, unitPriceCents: 1_000 },
      ],
      totalCents: 1_750,
      currency: 'EUR',
    });
  });

  it('refuses unknown SKUs, naming them', () => {
    expect(() =>
      priceOrder(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'X', quantity: 1 },
        ],
        [product('A', 1)],
      ),
    ).toThrow(new UnprocessableEntityException('unknown SKU: X'));
  });

  it('refuses a product no longer sold', () => {
    expect(() =>
      priceOrder([{ sku: 'A', quantity: 1 }], [product('A', 1, { status: 'DISCONTINUED' })]),
    ).toThrow(/no longer sold: A/);
  });

  it('refuses lines priced in two currencies', () => {
    expect(() =>
      priceOrder(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 1 },
        ],
        [product('A', 1), product('B', 1, { currency: 'USD' })],
      ),
    ).toThrow(/EUR and USD/);
  });

  it('refuses a total too large to be exact', () => {
    expect(() =>
      priceOrder([{ sku: 'A', quantity: 1_000_000 }], [product('A', Number.MAX_SAFE_INTEGER)]),
    ).toThrow(/too large/);
  });
});
