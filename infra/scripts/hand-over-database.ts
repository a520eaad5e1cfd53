import { Client, escapeIdentifier } from 'pg';
import { databaseUrl } from '@saga/test-kit/postgres-server';
import { restrictDatabase } from '@saga/provisioning/service-roles';

/**
 * `ALTER … OWNER TO $1` for everything in the current database that a service's migrations can have
 * made (schemas, tables, views, sequences, types, routines) and that `$1` does not own yet. Left out:
 * the system schemas, the `public` schema (PostgreSQL 15 gives it to pg_database_owner, so the owner
 * of the database owns it), members of extensions, and sequences that belong to a column (ALTER TABLE
 * takes them along, as it does indexes).
 */
const FOREIGN_OBJECTS = `
  WITH schemas AS (
    SELECT oid, nspname, nspowner FROM pg_namespace
    WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
  ), extension_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
  )
  SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, $1::text) AS statement
    FROM schemas s
   WHERE nspowner NOT IN ($1::text::regrole, 'pg_database_owner'::regrole)
     AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = s.oid)
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO %I',
                CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                  WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                c.oid::regclass, $1::text)
    FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relowner <> $1::text::regrole
     AND NOT EXISTS (
       SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))))
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, $1::text)
    FROM pg_type t JOIN schemas s ON s.oid = t.typnamespace
   WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
     AND t.typowner <> $1::text::regrole
     AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
  UNION ALL
  SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
    FROM pg_proc p JOIN schemas s ON s.oid = p.pronamespace
   WHERE p.proowner <> $1::text::regrole
     AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)`;

/**
 * Gives an existing database to `role` (which must exist), as a superuser on `serverUrl`: the database's
 * owner, connect rights for `role` alone ({@link restrictDatabase}), and the ownership of every object
 * inside that another role made — a database from before the roles existed, migrated by `postgres`.
 * Not `REASSIGN OWNED BY postgres`: PostgreSQL refuses it for the bootstrap superuser, and it would take
 * that role's objects in every database, not this one's. Nothing is dropped, so a database with data is
 * converted in place; idempotent (a second run finds nothing to alter). Returns the statements it ran.
 */
export async function handOverDatabase(
  admin: Client,
  serverUrl: string,
  database: string,
  role: string,
): Promise<string[]> {
  await admin.query(`ALTER DATABASE ${escapeIdentifier(database)} OWNER TO ${escapeIdentifier(role)}`);
  await restrictDatabase(admin, database, role);
  const inside = new Client({ connectionString: databaseUrl(serverUrl, database) });
  await inside.connect();
  try {
    await inside.query('BEGIN');
    const { rows } = await inside.query<{ statement: string }>(FOREIGN_OBJECTS, [role]);
    for (const { statement } of rows) await inside.query(statement);
    await inside.query('COMMIT');
    return rows.map((row) => row.statement);
  } catch (error) {
    await inside.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await inside.end();
  }
}
