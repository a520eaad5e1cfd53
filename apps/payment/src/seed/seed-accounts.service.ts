import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { seedAccounts, type SeedAccount } from './seed-accounts';

/** Injection token of the accounts to seed (read from `SEED_FILE` when the module is built). */
export const SEED_ACCOUNTS = Symbol('SEED_ACCOUNTS');

/**
 * Seeds the accounts at boot, in one transaction, after the migrations have run and before the
 * consumer starts (Nest bootstraps the app before its microservices), so no order meets a missing seed.
 */
@Injectable()
export class SeedAccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedAccountsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEED_ACCOUNTS) private readonly accounts: readonly SeedAccount[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const added = await this.dataSource.transaction((manager) => seedAccounts(manager, this.accounts));
    this.logger.log(`seeded ${added} accounts; ${this.accounts.length - added} existed already`);
  }
}
