import { startTestCluster } from '@saga/test-kit';

/** The server a run's copies live on, and the relay mode their services run in. */
export interface RelayServer {
  /** More environment for every service instance. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * `machine`: the run's default server (the checkout's own cluster, or the one `DATABASE_URL`/`PG*` name;
   * the name is older than the checkout's cluster and stays, as results record it); `own`: a cluster
   * this run started.
   */
  readonly server: 'machine' | 'own';
  /** Puts this process's settings back and removes what was started. */
  restore(): Promise<void>;
}

/** Where a run wants its databases, beyond the relay mode. */
export interface RelayServerOptions {
  /** A cluster of the run's own even for `notify` (a bench comparing both modes on one kind of server). */
  readonly own?: boolean;
  /** Names the cluster's folder under `.local/test-clusters/`. */
  readonly label?: string;
  /** postgresql.conf settings over the test clusters' (say `{ fsync: 'on' }` for a bench). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** The process settings an own-server run replaces for its duration. */
const REPLACED = ['DATABASE_URL', 'OUTBOX_RELAY'] as const;

/**
 * `notify`: the run's server, as always (unless `own`). `wal`: a PostgreSQL cluster of the run's own
 * with `wal_level=logical` (a server named by `DATABASE_URL` need not have it, and the run's slots and
 * faults stay out of the checkout's databases), made this
 * process's server (`DATABASE_URL`, read by the copies, the audit and the fault injection) with
 * `OUTBOX_RELAY=wal` (the copies' roles may then replicate) until {@link RelayServer.restore}.
 */
export async function relayServer(
  relay: 'notify' | 'wal',
  options: RelayServerOptions = {},
): Promise<RelayServer> {
  if (relay === 'notify' && !options.own) {
    return { env: {}, server: 'machine', restore: () => Promise.resolve() };
  }
  const saved = REPLACED.map((name) => [name, process.env[name]] as const);
  const cluster = await startTestCluster(options.label ?? `${relay}-relay`, options.settings);
  process.env.DATABASE_URL = cluster.serverUrl;
  if (relay === 'wal') process.env.OUTBOX_RELAY = 'wal';
  else delete process.env.OUTBOX_RELAY;
  return {
    env: { OUTBOX_RELAY: relay },
    server: 'own',
    async restore() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await cluster.remove();
    },
  };
}
