import type { DataSource, MixedList } from 'typeorm';
import { CreateInbox1795300000002 } from '@saga/inbox';
import { CreateOutbox1795300000001 } from '@saga/outbox';
import { createMigratedDataSource } from '@saga/test-kit';

/**
 * A TypeORM DataSource on `url` with the platform's outbox and inbox tables migrated, plus any
 * `extraSql` a test needs (its own business table). The caller destroys it.
 */
export async function createTestDataSource(
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's type for migration classes
  migrations: MixedList<Function> = [],
  extraSql = '',
): Promise<DataSource> {
  return createMigratedDataSource(
    url,
    [CreateOutbox1795300000001, CreateInbox1795300000002, ...(migrations as [])],
    extraSql,
  );
}
