import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { waitFor } from '@saga/common';
import type { PlatformServiceName } from '@saga/contracts';
import { databaseRole } from '@saga/platform/config';
import { databaseUrl, postgresServerUrl } from './postgres-server';
import { ensureServiceRole, restrictDatabase, serviceDatabaseUrl } from './service-roles';

/** A throw-away database on the real server. */
export interface TestDatabase {
  /** Its name: `saga_test_<label>_<random>`. */
  readonly name: string;
  /** Connection URL, as the server's superuser: for tests that inspect or seed it. */
  readonly url: string;
  /** Drops it, closing whatever connections are still open. */
  drop(): Promise<void>;
}

/** A throw-away database of one service, owned by the service's role as its real database is. */
export interface ServiceTestDatabase extends TestDatabase {
  readonly service: PlatformServiceName;
  /**
   * Connection URL as the service's role (`order_service`, which can reach no other service's
   * database): what the service under test connects with, so that tests prove it needs no more.
   */
  readonly serviceUrl: string;
}

/** Creates an empty database for one test file; the test drops it in `afterAll`. */
export async function createTestDatabase(
  label: string,
  serverUrl = postgresServerUrl(),
): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return testDatabase(serverUrl, name);
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

function testDatabaseName(label: string): string {
  return `saga_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

function testDatabase(serverUrl: string, name: string): TestDatabase {
  const drop = async () => {
    await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop,
  };
}

/** Runs `work` on a short-lived connection to the server's maintenance database. */
export async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Resolves once some session of the current database waits on a lock (a transaction queued behind another). */
export async function waitForLockWait(
  db: { query(sql: string): Promise<unknown[]> },
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    async () =>
      (
        await db.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      ).length > 0 || undefined,
    { timeoutMs, what: 'a session to wait on a lock' },
  );
}
