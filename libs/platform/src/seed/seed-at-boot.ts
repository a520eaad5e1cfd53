import { Logger, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { loadSeed, type SeedSection } from '../config/load-seed';

/** What a service seeds at boot: its section of the seed file, and how to insert the missing items. */
export interface BootSeed<Item> extends SeedSection<Item> {
  /**
   * Inserts the items that are missing, in the caller's transaction, and returns how many it added. An
   * existing item must be left exactly as it is (it has moved since), so seeding on every boot changes
   * nothing after the first.
   */
  readonly insert: (manager: EntityManager, items: readonly Item[]) => Promise<number>;
}

/**
 * Seeds a service's data at boot, in one transaction, after the migrations have run and before the
 * consumer starts (Nest bootstraps the app before its microservices), so no event meets a missing seed.
 * Two instances booting at once are safe: the second one's inserts wait and then do nothing.
 */
export class SeedAtBoot<Item> implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedAtBoot.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly seed: BootSeed<Item>,
    private readonly items: readonly Item[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const added = await this.dataSource.transaction((manager) => this.seed.insert(manager, this.items));
    this.logger.log(`seeded ${added} of ${this.items.length} ${this.seed.key} (the others existed)`);
  }
}

/**
 * The provider that seeds `seed` at boot. It reads `SEED_FILE` now, while the module is built, so a bad
 * seed file fails the boot (a ConfigError naming `SEED_FILE`) before anything is opened.
 */
export function seedAtBoot<Item>(seed: BootSeed<Item>, env: Record<string, string | undefined>): Provider {
  const items = loadSeed(env, seed);
  return {
    provide: `SeedAtBoot:${seed.key}`,
    useFactory: (dataSource: DataSource) => new SeedAtBoot(dataSource, seed, items),
    inject: [DataSource],
  };
}
