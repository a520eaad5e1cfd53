import { SERVICE_NAMES } from '@saga/contracts';
import { databaseRole } from '@saga/platform/config';
import { onServer, postgresServerUrl } from '@saga/test-kit';
import { SagaPlatform } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/**
 * Least privilege, end to end: the four services boot, migrate and serve with nothing but their own
 * roles (`order_service`, …), each the owner of its database and unable to reach another's.
 */
describe('the services connect to PostgreSQL as their own roles', () => {
  let platform: SagaPlatform;

  beforeAll(async () => {
    platform = await SagaPlatform.start('roles', SERVICES, SEED);
  });

  afterAll(async () => {
    await platform?.destroy();
  });

  it.each(SERVICE_NAMES)(
    '%s: connects as its role, which owns every table its migrations made',
    async (name) => {
      // Arrange
      const database = platform.databases[name];

      // Act
      const seen = await onServer(postgresServerUrl(), async (client) => {
        const sessions = await client.query<{ usename: string }>(
          'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database.name],
        );
        return sessions.rows.map((row) => row.usename);
      });
      const owners = await onServer(database.url, async (client) => {
        const tables = await client.query<{ owner: string }>(
          "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
        );
        return tables.rows.map((row) => row.owner);
      });

      // Assert
      expect(seen).toEqual([databaseRole(name)]);
      expect(owners).toEqual([databaseRole(name)]);
    },
  );
});
