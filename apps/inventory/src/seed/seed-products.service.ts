import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { seedProducts, type SeedProduct } from './seed-products';

/** Injection token of the products to seed (read from `SEED_FILE` when the module is built). */
export const SEED_PRODUCTS = Symbol('SEED_PRODUCTS');

/**
 * Seeds the catalog at boot, in one transaction, after the migrations have run and before the
 * consumer starts (Nest bootstraps the app before its microservices), so no payment meets a missing
 * product. Two instances booting at once are safe: the second one's inserts wait and then do nothing.
 */
@Injectable()
export class SeedProductsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedProductsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEED_PRODUCTS) private readonly products: readonly SeedProduct[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const added = await this.dataSource.transaction((manager) => seedProducts(manager, this.products));
    this.logger.log(`seeded ${added} of ${this.products.length} products (the others existed)`);
  }
}
