import { DEFAULT_POSTGRES_SERVER } from '@saga/platform/config';

/**
 * The PostgreSQL server the infrastructure scripts and tests use, as a URL of its `postgres`
 * maintenance database: `DATABASE_URL` (its database part is ignored) or the libpq variables
 * `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, else postgres://postgres@127.0.0.1:5432.
 */
export function postgresServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.DATABASE_URL || DEFAULT_POSTGRES_SERVER);
  if (!env.DATABASE_URL) {
    url.hostname = env.PGHOST || url.hostname;
    url.port = env.PGPORT || url.port;
    url.username = env.PGUSER || url.username;
    url.password = env.PGPASSWORD || '';
  }
  url.pathname = '/postgres';
  return url.toString();
}

/** The URL of database `name` on the same server. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
