import { onServer, postgresServerUrl } from '@saga/test-kit';

/**
 * Terminates every connection to a database (as a failover or an operator would), through the server
 * URL's superuser (`DATABASE_URL` / `PG*`); returns how many. The chaos run and the demo's chaos panel.
 */
export async function terminateConnections(
  database: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return onServer(postgresServerUrl(env), async (client) => {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(pg_terminate_backend(pid)) AS count FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return Number(rows[0].count);
  });
}
