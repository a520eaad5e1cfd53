import { DataSource, type MixedList } from 'typeorm';

/**
 * A TypeORM DataSource on `url` with `migrations` run (each in its own transaction), plus any `extraSql`
 * a test needs (its own business table). The caller destroys it.
 */
export async function createMigratedDataSource(
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's type for migration classes
  migrations: MixedList<Function> = [],
  extraSql = '',
): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTransactionMode: 'each',
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  if (extraSql) await dataSource.query(extraSql);
  return dataSource;
}
