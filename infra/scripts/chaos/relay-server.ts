import { startTestCluster } from '@saga/test-kit';

/** The server a chaos run's copy lives on, and the relay mode its services run in. */
export interface RelayServer {
  /** More environment for every service instance. */
  readonly env: Readonly<Record<string, string>>;
  /** Puts this process's settings back and removes what was started. */
  restore(): Promise<void>;
}

/** The process settings a `wal` run replaces for its duration. */
const REPLACED = ['DATABASE_URL', 'OUTBOX_RELAY'] as const;

/**
 * `notify`: the machine's server, as always. `wal`: a PostgreSQL cluster of the run's own with
 * `wal_level=logical` (the machine's server is not ours to reconfigure or restart), made this process's
 * server (`DATABASE_URL`, read by the copy, the audit and the fault injection) with `OUTBOX_RELAY=wal` (the
 * copy's roles may then replicate) until {@link RelayServer.restore}.
 */
export async function relayServer(relay: 'notify' | 'wal'): Promise<RelayServer> {
  if (relay === 'notify') return { env: {}, restore: () => Promise.resolve() };
  const saved = REPLACED.map((name) => [name, process.env[name]] as const);
  const cluster = await startTestCluster('chaos-wal');
  process.env.DATABASE_URL = cluster.serverUrl;
  process.env.OUTBOX_RELAY = 'wal';
  return {
    env: { OUTBOX_RELAY: 'wal' },
    async restore() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await cluster.remove();
    },
  };
}
