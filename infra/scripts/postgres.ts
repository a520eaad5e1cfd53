import { Client } from 'pg';
import { waitFor } from '@saga/common';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { databaseName } from '@saga/platform/config';
export { postgresServerUrl } from '@saga/testing/postgres-server';
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

/** Creates each service's database that does not exist yet; returns the ones it created. */
export async function ensureServiceDatabases(serverUrl: string): Promise<string[]> {
  return withServer(serverUrl, async (client) => {
    const created: string[] = [];
    for (const name of PLATFORM_SERVICE_NAMES.map(databaseName)) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        // CREATE DATABASE takes no parameters; the name comes from our own registry, quoted anyway.
        await createDatabase(client, name);
        created.push(name);
      }
    }
    return created;
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
 * CREATE DATABASE, tolerating a concurrent run: "already exists" (42P04) is success, and "template1 is
 * being accessed by other users" (55006, two CREATE DATABASE at once) is retried.
 */
async function createDatabase(client: Client, name: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
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
