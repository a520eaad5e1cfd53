import { z } from 'zod';
import { Sku } from '@saga/contracts';
import { jsonResponse, operation, problemResponses, type ServiceApi } from '@saga/platform';
import { ProductSchema } from './products/product.repository';

/** The inventory service's own operations: the catalog and its stock. */
export const inventoryApi: ServiceApi = {
  description:
    'Holds the catalog and the stock: reserves and releases it over Kafka, and publishes the catalog.',
  paths: {
    '/products': {
      get: operation(['customer', 'admin'], {
        tags: ['products'],
        summary: 'Every product, with its stock',
        responses: { '200': jsonResponse('The products, in SKU order.', z.array(ProductSchema)) },
      }),
    },
    '/products/{sku}': {
      get: operation(['customer', 'admin'], {
        tags: ['products'],
        summary: 'One product, with its stock',
        requestParams: { path: z.object({ sku: Sku }) },
        responses: {
          '200': jsonResponse('The product.', ProductSchema),
          ...problemResponses(400, 404),
        },
      }),
    },
  },
};
