import { Controller, Get, Param } from '@nestjs/common';
import { Sku } from '@saga/contracts';
import { parseRequest } from '@saga/platform';
import type { Product } from '../product.repository';
import { GetProductsService } from './get-products.service';

/** `GET /products` and `GET /products/:sku`. */
@Controller('products')
export class GetProductsController {
  constructor(private readonly products: GetProductsService) {}

  @Get()
  list(): Promise<Product[]> {
    return this.products.list();
  }

  @Get(':sku')
  get(@Param('sku') sku: string): Promise<Product> {
    return this.products.get(parseRequest(Sku, sku, 'sku'));
  }
}
