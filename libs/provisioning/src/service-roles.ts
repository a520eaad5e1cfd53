import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { escapeIdentifier, escapeLiteral, type Client } from 'pg';
import type { PlatformServiceName } from '@saga/contracts';
import { SERVICE_ROLE_ATTRIBUTES, databaseName, databaseRole, roleDatabaseUrl } from '@saga/platform/config';

/**
 * Least privilege in PostgreSQL, shared by `npm run infra:up` (infra/scripts/postgres.ts) and the test
 * harness (`createServiceTestDatabase`): each service has a LOGIN role of its own ({@link databaseRole},
 * `order_service`) that owns its database and may connect to that one only. The role has no power over
 * the cluster: it cannot create databases or roles, and PUBLIC (every other role) cannot connect to a
 * service's database. Superusers still can: the infrastructure scripts and tests that inspect or seed.
 */

/** Everything a service's role is: it logs in, and has none of the cluster-wide powers. */

/**
 * Serialises role changes across processes (Jest workers, two `infra:up` at once). Advisory locks are per
 * database: every caller holds it on the maintenance database `postgres` (`postgresServerUrl`).
 */
const ROLE_LOCK = "hashtext('saga.service-roles')";

/**
 * What a concurrent CREATE or ALTER ROLE that the lock did not cover fails with (a role created by
 * another tool meanwhile): duplicate_object, unique_violation, "tuple concurrently updated". A retry
 * then finds the role.
 */
function isRace(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '42710' || code === '23505' || (code === 'XX000' && /concurrently/.test(message ?? ''));
}

/**
 * The variable that holds a service role's password, for a server that asks for one (md5 or SCRAM):
 * `order` → `ORDER_DB_PASSWORD`. Unset, the role has no password (local trust authentication).
 */
export function databasePasswordVariable(service: PlatformServiceName): string {
  return `${service.toUpperCase()}_DB_PASSWORD`;
}

/** The role's password from the environment, or undefined when unset or empty. */
export function servicePassword(
  service: PlatformServiceName,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[databasePasswordVariable(service)] || undefined;
}

/** The URL `service` connects to `database` with, on the server of `serverUrl`: as its own role. */
export function serviceDatabaseUrl(
  serverUrl: string,
  service: PlatformServiceName,
  database = databaseName(service),
  env: NodeJS.ProcessEnv = process.env,
): string {
  return roleDatabaseUrl(serverUrl, databaseRole(service), database, servicePassword(service, env));
}

/**
 * Creates the service's role, or turns an existing one back into a plain LOGIN role (and sets its
 * password when `<SERVICE>_DB_PASSWORD` is set), on a superuser's connection to the maintenance
 * database. Idempotent, and safe when several processes run it at once ({@link ensureLoginRole}).
 */
export async function ensureServiceRole(
  client: Client,
  service: PlatformServiceName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<'created' | 'updated' | 'unchanged'> {
  // The WAL relay (OUTBOX_RELAY=wal) makes a replication slot and streams it: that takes REPLICATION.
  const replication = env.OUTBOX_RELAY === 'wal';
  return ensureLoginRole(client, databaseRole(service), servicePassword(service, env), replication);
}

/**
 * Creates `role` as a LOGIN role with none of the cluster-wide powers, or turns an existing one back into
 * one (and sets `password` if given). Safe when several processes run it at once: they queue on an
 * advisory lock, and a race with a creator that does not take it is retried.
 */
export async function ensureLoginRole(
  client: Client,
  role: string,
  password?: string,
  replication = false,
): Promise<'created' | 'updated' | 'unchanged'> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await changeRoleLocked(client, role, password, replication);
    } catch (error) {
      if (attempt >= 3 || !isRace(error)) throw error;
    }
  }
}

async function changeRoleLocked(
  client: Client,
  role: string,
  password: string | undefined,
  replication: boolean,
): Promise<'created' | 'updated' | 'unchanged'> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${ROLE_LOCK})`);
    const { rows } = await client.query<{ plain: boolean }>(
      `SELECT rolcanlogin AND rolreplication = $2 AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls)
         AS plain FROM pg_roles WHERE rolname = $1`,
      [role, replication],
    );
    const outcome = rows.length === 0 ? 'created' : !rows[0].plain || password ? 'updated' : 'unchanged';
    if (outcome !== 'unchanged') {
      // Utility statements take no parameters: the name comes from our registry, both are escaped.
      // The password goes as a SCRAM verifier, never in clear: a logged statement shows no secret.
      const secret = password ? ` PASSWORD ${escapeLiteral(scramVerifier(password))}` : '';
      const verb = outcome === 'created' ? 'CREATE' : 'ALTER';
      const attributes = replication
        ? SERVICE_ROLE_ATTRIBUTES.replace('NOREPLICATION', 'REPLICATION')
        : SERVICE_ROLE_ATTRIBUTES;
      await client.query(`${verb} ROLE ${escapeIdentifier(role)} ${attributes}${secret}`);
    }
    await client.query('COMMIT');
    return outcome;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Lets `role` alone (and superusers) connect to `database`: PUBLIC's default CONNECT and TEMPORARY are
 * revoked, CONNECT is granted to `role`. Idempotent. Run on a superuser's connection.
 */
export async function restrictDatabase(client: Client, database: string, role: string): Promise<void> {
  const [db, owner] = [escapeIdentifier(database), escapeIdentifier(role)];
  await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
  await client.query(`GRANT CONNECT ON DATABASE ${db} TO ${owner}`);
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, as `pg_authid` stores it), which
 * `CREATE ROLE … PASSWORD` takes as is. The password is used as given (no SASLprep): keep it ASCII.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}
