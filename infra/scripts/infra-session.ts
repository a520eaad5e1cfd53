import { runningClusterPid } from '@saga/test-kit';
import {
  infraUp,
  kafkaNodes,
  postgresUp,
  type InfraOptions,
  type InfraUpResult,
  type OnSpawn,
} from './infra';
import { runningBrokerPid, startBrokers, stopBroker, type BrokerSettings } from './kafka-broker';
import { managedPostgres, stopManagedPostgres } from './managed-postgres';
import { postgresServerUrl, requirePostgres } from './postgres';

const log = (line: string) => console.log(`[infra] ${line}`);

/**
 * The infrastructure for one run of a command (`npm test`, `npm run demo`, `npm run chaos`): `open`
 * brings it up; `close` stops the brokers and the checkout's PostgreSQL only if this run spawned them —
 * also when called from a Ctrl+C handler while `open` is still waiting for them. What another run
 * started is never stopped.
 */
export class InfraSession {
  private readonly brokers = new Set<number>();
  private postgres: number | undefined;
  private readonly onSpawn: OnSpawn = (pid, what) =>
    what === 'kafka' ? this.brokers.add(pid) : (this.postgres = pid);

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly options: InfraOptions = {},
  ) {}

  /** The pids of the processes this session started (and restarted) that it would stop on close. */
  get spawnedPids(): number[] {
    return [...this.brokers, ...(this.postgres === undefined ? [] : [this.postgres])];
  }

  /** The Kafka nodes of this session. */
  get nodes(): BrokerSettings[] {
    return kafkaNodes(this.env, this.options);
  }

  open(): Promise<InfraUpResult> {
    return infraUp(this.env, this.onSpawn, this.options);
  }

  /**
   * Only the database side, for a run that found a broker answering already: starts the checkout's
   * PostgreSQL if it is not running (then `close` stops it), and fails clearly if no server answers.
   */
  async openPostgres(): Promise<void> {
    await postgresUp(this.env, this.onSpawn);
    await requirePostgres(postgresServerUrl(this.env));
  }

  /**
   * Starts a node of this session's cluster again (after a fault killed it). If this session started the
   * cluster, the new process is the session's too, and `close` stops it.
   */
  async restartNode(node: BrokerSettings): Promise<void> {
    const ours = this.brokers.size > 0;
    await startBrokers([node], log, (pid) => (ours ? this.brokers.add(pid) : undefined));
  }

  async close(): Promise<void> {
    const cluster = managedPostgres(this.env);
    await Promise.all([
      ...this.nodes.map(async (node) => {
        const pid = runningBrokerPid(node);
        if (pid !== undefined && this.brokers.has(pid)) await stopBroker(node, log, pid);
      }),
      ...(cluster && this.postgres !== undefined && runningClusterPid(cluster) === this.postgres
        ? [stopManagedPostgres(cluster, log)]
        : []),
    ]);
    this.brokers.clear();
    this.postgres = undefined;
  }
}
