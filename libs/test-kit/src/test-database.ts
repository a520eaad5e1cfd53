import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { waitFor } from '@saga/common';
import { databaseUrl, postgresServerUrl } from './postgres-server';

/** A throw-away database on the real server. */
export interface TestDatabase {
  /** Its name: `saga_test_<label>_<random>`. */
  readonly name: string;
  /** Connection URL, as the server's superuser: for tests that inspect or seed it. */
  readonly url: string;
  /** Drops it, closing whatever connections are still open. */
  drop(): Promise<void>;
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

/** A fresh database name for `label`: `saga_test_<label>_<random>`. */
export function testDatabaseName(label: string): string {
  return `saga_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** The {@link TestDatabase} of an existing database `name` on the server of `serverUrl`. */
export function testDatabase(serverUrl: string, name: string): TestDatabase {
  const drop = async () => {
    await onServer(serverUrl, async (client) => {
      await dropReplicationSlots(client, name);
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  };
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop,
  };
}

/**
 * Drops the logical replication slots of database `name` (the WAL relay's), which would otherwise stop
 * the database from being dropped; a slot still streamed has its reader's connection ended first.
 */
async function dropReplicationSlots(client: Client, name: string): Promise<void> {
  const slots = () =>
    client
      .query<{ slot_name: string; active_pid: number | null }>(
        'SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1',
        [name],
      )
      .then((result) => result.rows);
  if ((await slots()).length === 0) return;
  await waitFor(
    async () => {
      const now = await slots();
      for (const slot of now) {
        if (slot.active_pid !== null)
          await client.query('SELECT pg_terminate_backend($1)', [slot.active_pid]);
        else
          await client.query('SELECT pg_drop_replication_slot($1)', [slot.slot_name]).catch(() => undefined);
      }
      return (await slots()).length === 0 || undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: `the replication slots of ${name} to be dropped` },
  );
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
