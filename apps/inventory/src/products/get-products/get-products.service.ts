import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findProducts, type Product } from '../product.repository';

/** `GET /products[/:sku]`: the catalog with its stock, as it is now. */
@Injectable()
export class GetProductsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Every product, in SKU order. */
  list(): Promise<Product[]> {
    return findProducts(this.dataSource.manager);
  }

  /** One product; 404 when the catalog has no such SKU. */
  async get(sku: string): Promise<Product> {
    const [product] = await findProducts(this.dataSource.manager, [sku]);
    if (!product) throw new NotFoundException(`no product ${sku}`);
    return product;
  }
}
