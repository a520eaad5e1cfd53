import type { PlatformServiceName } from '@saga/contracts';

/**
 * The PostgreSQL role a service connects as: `order` → `order_service`, the same name as its database
 * (`databaseName`), which it owns. A LOGIN role with no other power ({@link SERVICE_ROLE_ATTRIBUTES}):
 * it can connect to its own database only, where it creates its tables at boot.
 * `npm run infra:up`, infra/postgres/init.sql and the test harness create it.
 */
export function databaseRole(service: PlatformServiceName): string {
  return `${service}_service`;
}

/** What a service's role may do: log in, nothing else. The one list every place that makes a role uses. */
export const SERVICE_ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/**
 * The statements that make a service's role and its database on an empty server (docker-compose's
 * infra/postgres/init.sql; `npm run infra:up` does the same idempotently). Names come from the service
 * registry (`[a-z][a-z0-9]*_service`), so they need no quoting.
 */
export function serviceDatabaseSql(role: string, database: string): string[] {
  return [
    `CREATE ROLE ${role} ${SERVICE_ROLE_ATTRIBUTES};`,
    `CREATE DATABASE ${database} OWNER ${role};`,
    `REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC;`,
    `GRANT CONNECT ON DATABASE ${database} TO ${role};`,
  ];
}

/**
 * `serverUrl` (host and port of any URL of the server) as `role` on `database`: the user, password and
 * database of `serverUrl` are replaced, so a superuser's password never reaches a service's URL.
 */
export function roleDatabaseUrl(serverUrl: string, role: string, database: string, password = ''): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}
