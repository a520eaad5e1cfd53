import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  clusterLogTail,
  LOCAL_POSTGRES_SERVER,
  postgresBinaries,
  runningClusterPid,
  startPostgresCluster,
  stopPostgresCluster,
  type PostgresCluster,
} from '@saga/test-kit';
import { localDir } from './local-paths';
import { PrerequisiteError } from './preflight';
import { acquireStartLock } from './start-lock';

/**
 * The port of the project's own PostgreSQL (`PGPORT` moves it), the port of the platform's default server
 * (`LOCAL_POSTGRES_SERVER`, 55432): not 5432, which belongs to a server the machine may run already, and
 * not 5433, where Debian puts a second cluster.
 */
export const MANAGED_POSTGRES_PORT = Number(new URL(LOCAL_POSTGRES_SERVER).port);

/**
 * The settings the managed cluster is created with, beyond every cluster's (127.0.0.1 only, 200
 * connections): logical replication for the WAL relay (`OUTBOX_RELAY=wal`, a slot per service and a
 * sender per live relay, room for a demo's instances and a test run), and a bound on the WAL a
 * forgotten slot may pin — past it PostgreSQL invalidates the slot and the relay republishes from its
 * table (docs/messaging.md), instead of the disk filling up.
 */
export const MANAGED_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: 'logical',
  max_wal_senders: '20',
  max_replication_slots: '20',
  max_slot_wal_keep_size: "'2GB'",
};

/**
 * This checkout's PostgreSQL cluster (`.local/postgres/`, on 127.0.0.1:`PGPORT`, default
 * {@link MANAGED_POSTGRES_PORT}), or undefined when `DATABASE_URL` or a `PGHOST` other than 127.0.0.1
 * names the server to use: that one is the user's, and never started or stopped here.
 */
export function managedPostgres(env: NodeJS.ProcessEnv = process.env): PostgresCluster | undefined {
  if (env.DATABASE_URL || (env.PGHOST && env.PGHOST !== '127.0.0.1')) return undefined;
  return {
    dir: join(localDir(env), 'postgres'),
    port: Number(env.PGPORT || MANAGED_POSTGRES_PORT),
    settings: MANAGED_POSTGRES_SETTINGS,
  };
}

/** What {@link ensureManagedPostgres} found or did. */
export type ManagedPostgresStart =
  { readonly state: 'started' | 'running'; readonly pid: number } | { readonly state: 'foreign' };

/** Whether a PostgreSQL server accepts a connection on 127.0.0.1:`port`. */
async function answers(port: number): Promise<boolean> {
  const client = new Client({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // Something answered as PostgreSQL, only not to us (a password, a missing role): it is a server.
    return typeof (error as { code?: unknown }).code === 'string' && !('errno' in (error as object));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts the managed cluster unless it runs: created on first use (`initdb`, as an unprivileged user
 * when we are root), then `pg_ctl start`; resolves once it accepts connections. A server that already
 * answers on the port and is not this checkout's (another clone's, `docker compose`'s) is used as it is,
 * like a broker these scripts did not start. Two runs at once start it once (a start lock).
 */
export async function ensureManagedPostgres(
  cluster: PostgresCluster,
  log: (line: string) => void,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<ManagedPostgresStart> {
  const address = `127.0.0.1:${cluster.port}`;
  const running = runningClusterPid(cluster);
  if (running !== undefined) {
    log(`PostgreSQL is already running (pid ${running}) on ${address}.`);
    return { state: 'running', pid: running };
  }
  if (await answers(cluster.port)) {
    log(
      `A PostgreSQL not started from this checkout already answers on ${address}; using it ` +
        `(its data is not in ${join(cluster.dir, 'data')}).`,
    );
    return { state: 'foreign' };
  }
  try {
    postgresBinaries();
  } catch (error) {
    throw new PrerequisiteError(
      `${(error as Error).message}.\n  Or point DATABASE_URL (or PGHOST/PGPORT/PGUSER) at a PostgreSQL ` +
        'server you run; the platform then uses it instead of a cluster of its own.',
    );
  }
  mkdirSync(cluster.dir, { recursive: true });
  const release = await acquireStartLock(join(cluster.dir, 'start.lock'), 'PostgreSQL', 90_000, log);
  try {
    const again = runningClusterPid(cluster); // another run may have started it while we waited
    if (again !== undefined) {
      log(`PostgreSQL is already running (pid ${again}) on ${address}.`);
      return { state: 'running', pid: again };
    }
    const fresh = !existsSync(join(cluster.dir, 'data', 'PG_VERSION'));
    let pid: number;
    try {
      pid = await startPostgresCluster(cluster, log);
    } catch (error) {
      throw new Error(
        `PostgreSQL (${address}, ${join(cluster.dir, 'data')}) did not start: ${(error as Error).message}\n` +
          `--- the end of its log ---\n${clusterLogTail(cluster)}`,
      );
    }
    onSpawn(pid);
    log(
      `PostgreSQL started (pid ${pid}) on ${address}${fresh ? ', a new cluster' : ''}; ` +
        `data and logs in ${cluster.dir}`,
    );
    return { state: 'started', pid };
  } finally {
    release();
  }
}

/** Stops the managed cluster if it runs (fast: sessions ended, the WAL flushed). Returns whether it ran. */
export async function stopManagedPostgres(
  cluster: PostgresCluster,
  log: (line: string) => void,
): Promise<boolean> {
  const pid = runningClusterPid(cluster);
  if (pid === undefined) return false;
  await stopPostgresCluster(cluster, 'fast');
  log(`PostgreSQL (pid ${pid}, 127.0.0.1:${cluster.port}) stopped.`);
  return true;
}
