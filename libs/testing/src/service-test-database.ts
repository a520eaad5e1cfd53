import { escapeIdentifier } from 'pg';
import type { PlatformServiceName } from '@saga/contracts';
import { databaseRole } from '@saga/platform/config';
import { ensureServiceRole, restrictDatabase, serviceDatabaseUrl } from '@saga/provisioning';
import {
  onServer,
  postgresServerUrl,
  testDatabase,
  testDatabaseName,
  type TestDatabase,
} from '@saga/test-kit';

/** A throw-away database of one service, owned by the service's role as its real database is. */
export interface ServiceTestDatabase extends TestDatabase {
  readonly service: PlatformServiceName;
  /**
   * Connection URL as the service's role (`order_service`, which can reach no other service's
   * database): what the service under test connects with, so that tests prove it needs no more.
   */
  readonly serviceUrl: string;
}

/**
 * Creates an empty database for `service` as `npm run infra:up` makes its real one: owned by the
 * service's role (created first if need be), which alone — superusers aside — may connect to it.
 */
export async function createServiceTestDatabase(
  service: PlatformServiceName,
  label: string,
  serverUrl = postgresServerUrl(),
): Promise<ServiceTestDatabase> {
  const [name, role] = [testDatabaseName(label), databaseRole(service)];
  await onServer(serverUrl, async (client) => {
    await ensureServiceRole(client, service);
    await client.query(`CREATE DATABASE ${escapeIdentifier(name)} OWNER ${escapeIdentifier(role)}`);
    await restrictDatabase(client, name, role);
  });
  return {
    ...testDatabase(serverUrl, name),
    service,
    serviceUrl: serviceDatabaseUrl(serverUrl, service, name),
  };
}
