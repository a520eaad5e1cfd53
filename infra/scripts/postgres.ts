import { Client, escapeIdentifier } from 'pg';
import { waitFor } from '@saga/common';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { databaseName, databaseRole } from '@saga/platform/config';
import { ensureServiceRole } from '@saga/provisioning/service-roles';
export { postgresServerUrl } from '@saga/test-kit/postgres-server';
import { handOverDatabase } from './hand-over-database';
import { PrerequisiteError } from './preflight';

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) {
    parsed.password = '***';
  }
  return parsed.toString();
}

/** Runs `work` with a connection to the server's maintenance database, or fails with a clear message. */
export async function withServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new PrerequisiteError(
      `PostgreSQL is not reachable at ${redacted(serverUrl)} (${(error as Error).message}).\n` +
        '  Start it (Debian/Ubuntu: pg_ctlcluster 15 main start; macOS: brew services start postgresql@15),\n' +
        '  point DATABASE_URL or PGHOST/PGPORT/PGUSER at a running server, or use Docker: docker compose up -d',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Fails with a clear message unless the server accepts a connection. */
export async function requirePostgres(serverUrl: string): Promise<void> {
  await withServer(serverUrl, async (client) => {
    await client.query('SELECT 1');
  });
}

/** What {@link ensureServiceDatabases} did. */
export interface ServiceDatabases {
  /** The roles it created (`order_service`, …). */
  readonly roles: string[];
  /** The databases it created, owned by their roles. */
  readonly created: string[];
  /** Existing databases it gave to their roles (from before the roles, or changed since). */
  readonly converted: string[];
}

/** Serialises whole runs of {@link ensureServiceDatabases} (two `infra:up` at once) on the maintenance database. */
const PROVISION_LOCK = "hashtext('saga.service-databases')";

/**
 * Least privilege for every service of the registry, idempotently, as a superuser on `serverUrl`: its
 * LOGIN role (`order_service`, `ensureServiceRole`; the password from `<SERVICE>_DB_PASSWORD` if set),
 * and its database, created owned by the role or converted ({@link handOverDatabase}), which no other
 * role but superusers may connect to. A second run changes nothing.
 */
export async function ensureServiceDatabases(
  serverUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceDatabases> {
  return withServer(serverUrl, async (client) => {
    const done: ServiceDatabases = { roles: [], created: [], converted: [] };
    await client.query(`SELECT pg_advisory_lock(${PROVISION_LOCK})`);
    try {
      for (const service of PLATFORM_SERVICE_NAMES) {
        const [role, name] = [databaseRole(service), databaseName(service)];
        if ((await ensureServiceRole(client, service, env)) === 'created') done.roles.push(role);
        const found = await client.query<{ owner: string }>(
          'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
          [name],
        );
        if (found.rowCount === 0) await createDatabase(client, name, role);
        const altered = await handOverDatabase(client, serverUrl, name, role);
        if (found.rowCount === 0) done.created.push(name);
        else if (found.rows[0].owner !== role || altered.length > 0) done.converted.push(name);
      }
    } finally {
      // Closing the connection releases it too: a failed unlock must not hide the error that got here.
      await client.query(`SELECT pg_advisory_unlock(${PROVISION_LOCK})`).catch(() => undefined);
    }
    return done;
  });
}

/** Which of the service databases exist on the server. */
export async function existingServiceDatabases(serverUrl: string): Promise<string[]> {
  return withServer(serverUrl, async (client) => {
    const result = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
      [PLATFORM_SERVICE_NAMES.map(databaseName)],
    );
    return result.rows.map((row) => row.datname);
  });
}

/**
 * CREATE DATABASE owned by `owner`, tolerating a concurrent run: "already exists" (42P04) is success,
 * and "template1 is being accessed by other users" (55006, two CREATE DATABASE at once) is retried.
 */
async function createDatabase(client: Client, name: string, owner: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await client.query(`CREATE DATABASE ${escapeIdentifier(name)} OWNER ${escapeIdentifier(owner)}`);
        return true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '42P04') return true;
        if (code === '55006') return undefined;
        throw error;
      }
    },
    { timeoutMs: 10_000, intervalMs: 200, what: `database ${name} to be created` },
  );
}
