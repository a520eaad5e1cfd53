import { UnprocessableEntityException } from '@nestjs/common';
import type { CatalogProduct } from '../../../catalog/catalog-product';
import type { PlaceOrderBody } from './place-order.dto';

/** An order line with its price from the catalog replica. */
export interface PricedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** What an order costs: its lines and their sum, in one currency. */
export interface PricedOrder {
  readonly items: PricedLine[];
  readonly totalCents: number;
  readonly currency: string;
}

/**
 * Prices the order's lines from the catalog replica. Refuses (422, naming the SKUs) a SKU the catalog
 * does not know or no longer sells, lines in different currencies, and a total too large to be exact.
 */
export function priceOrder(items: PlaceOrderBody['items'], catalog: readonly CatalogProduct[]): PricedOrder {
  const bySku = new Map(catalog.map((product) => [product.sku, product]));
  const unknownSkus = items.filter((item) => !bySku.has(item.sku)).map((item) => item.sku);
  if (unknownSkus.length > 0) {
    throw new UnprocessableEntityException({
      message: `unknown SKU: ${unknownSkus.join(', ')}`,
      unknownSkus,
    });
  }
  const discontinuedSkus = items
    .filter((item) => bySku.get(item.sku)!.status !== 'ACTIVE')
    .map((item) => item.sku);
  if (discontinuedSkus.length > 0) {
    throw new UnprocessableEntityException({
      message: `no longer sold: ${discontinuedSkus.join(', ')}`,
      discontinuedSkus,
    });
  }
  const currencies = [...new Set(items.map((item) => bySku.get(item.sku)!.currency))];
  if (currencies.length > 1) {
    throw new UnprocessableEntityException(
      `the items are priced in ${currencies.join(' and ')}; one order takes one currency`,
    );
  }
  const priced = items.map((item) => ({ ...item, unitPriceCents: bySku.get(item.sku)!.priceCents }));
  const totalCents = priced.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  if (!Number.isSafeInteger(totalCents)) {
    throw new UnprocessableEntityException('the order total is too large');
  }
  return { items: priced, totalCents, currency: currencies[0] };
}
