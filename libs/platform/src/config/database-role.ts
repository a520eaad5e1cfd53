import type { PlatformServiceName } from '@saga/contracts';

/**
 * The PostgreSQL role a service connects as: `order` → `order_service`, the same name as its database
 * (`databaseName`), which it owns. A LOGIN role with no other power (NOSUPERUSER NOCREATEDB
 * NOCREATEROLE): it can connect to its own database only, where it creates its tables at boot.
 * `npm run infra:up`, infra/postgres/init.sql and the test harness create it.
 */
export function databaseRole(service: PlatformServiceName): string {
  return `${service}_service`;
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
