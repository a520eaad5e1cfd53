import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { waitFor } from '@saga/common';
import { freePort } from './free-port';

/**
 * A PostgreSQL cluster of our own: made with the machine's `initdb`, started with `pg_ctl`, stopped by
 * its pid. The checkout's default server is one (`infra:up`, infra/scripts/managed-postgres.ts): logical
 * replication needs `wal_level=logical`, which only a restart sets, and a server we did not start is not
 * ours to restart. Tests that restart or crash their server, or need one to themselves, start their own.
 *
 * PostgreSQL refuses to run as root. Run as root (as CI does), the cluster's files belong to an
 * unprivileged user (`PG_CLUSTER_USER`, default `postgres`) and its programs run as that user through
 * `runuser`.
 */
export interface PostgresCluster {
  /** The folder holding `data/` and `logs/`. */
  readonly dir: string;
  readonly port: number;
  /** Settings written to `postgresql.conf` at creation, e.g. `{ wal_level: 'logical' }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** Settings of every cluster: reachable on 127.0.0.1 only, by TCP only (no socket file to place). */
const BASE_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "''",
  max_connections: '200',
};

/** The folder of the newest installed PostgreSQL's programs: `PG_BINDIR`, `pg_config`, Debian's layout. */
export function postgresBinaries(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BINDIR) return env.PG_BINDIR;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((version) => existsSync(join(debian, version, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(debian, versions[0], 'bin');
  }
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && existsSync(join(fromConfig.stdout.trim(), 'initdb'))) {
    return fromConfig.stdout.trim();
  }
  throw new Error(
    "no PostgreSQL server programs found (initdb, pg_ctl): install Debian's postgresql package, or set PG_BINDIR",
  );
}

/** The cluster's URL of database `database`, as the superuser `postgres`. */
export function clusterUrl(cluster: PostgresCluster, database = 'postgres'): string {
  return `postgres://postgres@127.0.0.1:${cluster.port}/${database}`;
}

function paths(cluster: PostgresCluster) {
  const dir = resolve(cluster.dir);
  return { dir, data: join(dir, 'data'), logs: join(dir, 'logs'), log: join(dir, 'logs', 'postgresql.log') };
}

/** The user the cluster runs as, found once per process (it does not change while we run). */
let clusterUser: { name: string; uid: number; gid: number } | undefined | null = null;

/** The unprivileged user the cluster runs as when we are root, else undefined (we run it ourselves). */
function runAsUser(
  env: NodeJS.ProcessEnv = process.env,
): { name: string; uid: number; gid: number } | undefined {
  if (clusterUser !== null) return clusterUser;
  if (process.getuid?.() !== 0) return (clusterUser = undefined);
  const name = env.PG_CLUSTER_USER || 'postgres';
  const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) {
    throw new Error(
      `PostgreSQL refuses to run as root, and the user ${name} to run it as does not exist: ` +
        `create one (useradd --system ${name}) or name another in PG_CLUSTER_USER`,
    );
  }
  return (clusterUser = { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) });
}

/** Runs one of PostgreSQL's programs (as the cluster's user when we are root); throws with its output. */
function run(program: string, args: readonly string[]): string {
  const user = runAsUser();
  const file = join(postgresBinaries(), program);
  const [command, commandArgs] = user ? ['runuser', ['-u', user.name, '--', file, ...args]] : [file, args];
  try {
    return execFileSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${program} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

/**
 * Lets the cluster's user reach `dir` when we are root: makes the folders its own, and adds search
 * permission (x, not read) for others on each parent that lacks it — a `mktemp -d` folder is 0700.
 */
function handOver(dir: string, log: (line: string) => void): void {
  const user = runAsUser();
  if (!user) return;
  for (let parent = dirname(dir); parent !== dirname(parent); parent = dirname(parent)) {
    const mode = statSync(parent).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(parent, mode | 0o001);
      log(`granted search (o+x) on ${parent} so that ${user.name} can reach the cluster's files`);
    }
  }
  const own = (path: string): void => {
    chownSync(path, user.uid, user.gid);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) own(join(path, entry));
  };
  own(dir);
}

/** The pid of the cluster's postmaster if it runs (from PostgreSQL's own `postmaster.pid`). */
export function runningClusterPid(cluster: PostgresCluster): number | undefined {
  const file = join(paths(cluster).data, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // A stale file may name a pid reused by another program: only a postmaster of this folder counts.
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return command.includes(paths(cluster).data) ? pid : undefined;
  } catch {
    return undefined; // gone
  }
}

/**
 * Creates the cluster on first use (`initdb`, trust authentication for 127.0.0.1, the settings), and
 * starts it unless it runs; resolves once it accepts connections. Returns its postmaster's pid.
 */
export async function startPostgresCluster(
  cluster: PostgresCluster,
  log: (line: string) => void = () => undefined,
): Promise<number> {
  const p = paths(cluster);
  const running = runningClusterPid(cluster);
  if (running !== undefined) return running;
  if (!existsSync(join(p.data, 'PG_VERSION'))) {
    mkdirSync(p.data, { recursive: true, mode: 0o700 });
    mkdirSync(p.logs, { recursive: true });
    handOver(p.dir, log);
    run('initdb', ['-D', p.data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale']);
    const settings = { ...BASE_SETTINGS, ...cluster.settings };
    appendFileSync(
      join(p.data, 'postgresql.conf'),
      `\n# saga-platform\n${Object.entries(settings)
        .map(([name, value]) => `${name} = ${value}`)
        .join('\n')}\n`,
    );
    log(`PostgreSQL cluster created in ${p.data}`);
  }
  mkdirSync(p.logs, { recursive: true });
  handOver(p.logs, log);
  run('pg_ctl', ['start', '-D', p.data, '-l', p.log, '-o', `-p ${cluster.port}`, '-w', '-t', '60']);
  await waitFor(() => runningClusterPid(cluster) !== undefined, {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: `the PostgreSQL cluster in ${p.data} to write its pid`,
  });
  return runningClusterPid(cluster)!;
}

/**
 * Stops the cluster by its postmaster's pid: `fast` (SIGINT: sessions are ended, the WAL flushed), or
 * `immediate` (SIGQUIT: a crash, recovery at the next start). After `graceMs` a fast stop becomes an
 * immediate one. Returns whether it was running.
 */
export async function stopPostgresCluster(
  cluster: PostgresCluster,
  mode: 'fast' | 'immediate' = 'fast',
  graceMs = 30_000,
): Promise<boolean> {
  const pid = runningClusterPid(cluster);
  if (pid === undefined) return false;
  const gone = (): boolean => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  try {
    await waitFor(gone, { timeoutMs: graceMs, intervalMs: 50, what: `PostgreSQL (pid ${pid}) to stop` });
  } catch {
    process.kill(pid, 'SIGQUIT');
    await waitFor(gone, { timeoutMs: 10_000, intervalMs: 50, what: `PostgreSQL (pid ${pid}) to quit` });
  }
  return true;
}

/** The last `lines` lines of the cluster's log, for a failure message. */
export function clusterLogTail(cluster: PostgresCluster, lines = 30): string {
  const { log } = paths(cluster);
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n') : '(no log yet)';
}

/** A throw-away cluster with logical replication, for one test file. */
export interface TestCluster extends PostgresCluster {
  /** Its `postgres` database's URL: the server URL for {@link createTestDatabase}. */
  readonly serverUrl: string;
  /** Stops it (immediately: it is thrown away) and deletes its files. */
  remove(): Promise<void>;
}

/**
 * Starts a cluster of our own with `wal_level=logical` under `.local/test-clusters/`, on a free port:
 * for the tests of the WAL relay, which need a server the machine's may not be, and restart or crash it.
 * `fsync` is off: a test cluster's data need not survive the machine crashing.
 */
export async function startTestCluster(
  label: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<TestCluster> {
  const dir = join(
    __dirname,
    '..',
    '..',
    '..',
    process.env.SAGA_LOCAL_DIR || '.local',
    'test-clusters',
    `${label}-${process.pid}-${Date.now().toString(36)}`,
  );
  const cluster: PostgresCluster = {
    dir,
    port: await freePort(),
    settings: {
      wal_level: 'logical',
      max_wal_senders: '20',
      max_replication_slots: '20',
      wal_sender_timeout: "'10s'",
      fsync: 'off',
      ...settings,
    },
  };
  try {
    await startPostgresCluster(cluster);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...cluster,
    serverUrl: clusterUrl(cluster),
    async remove() {
      await stopPostgresCluster(cluster, 'immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Stops and deletes every test cluster a run left under `<localDir>/test-clusters/` (a test process that
 * was killed cannot remove its own). Returns how many were still running.
 */
export async function removeTestClusters(localDir: string): Promise<number> {
  const root = join(localDir, 'test-clusters');
  if (!existsSync(root)) return 0;
  let stopped = 0;
  for (const name of readdirSync(root)) {
    const cluster: PostgresCluster = { dir: join(root, name), port: 0 };
    if (await stopPostgresCluster(cluster, 'immediate')) stopped += 1;
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  return stopped;
}
