/**
 * The local server — the checkout's own PostgreSQL that `infra:up` starts (infra/scripts/managed-postgres.ts)
 * — as the services' own default (`DEFAULT_POSTGRES_SERVER` of @saga/platform, which the
 * kit stands below: `test-kit-defaults.spec.ts` in @saga/testing shows the two agree).
 */
export const LOCAL_POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:55432';

/**
 * The PostgreSQL server the infrastructure scripts and tests use, as a URL of its `postgres`
 * maintenance database: `DATABASE_URL` (its database part is ignored) or the libpq variables
 * `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, else postgres://postgres@127.0.0.1:55432.
 */
export function postgresServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.DATABASE_URL || LOCAL_POSTGRES_SERVER);
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
