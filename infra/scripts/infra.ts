/**
 * `npm run infra:up | infra:down | infra:status | infra:reset` — the local infrastructure without
 * Docker: one Apache Kafka broker (KRaft) started from Maven-fetched jars, and a PostgreSQL cluster of
 * this checkout's own (or the server `DATABASE_URL` names) with a database per service. Both keep their
 * data under `.local/`, so that one clone's databases and log are one state. See docs/infrastructure.md.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { databaseName } from '@saga/platform/config';
import { runningClusterPid } from '@saga/test-kit';
import {
  brokerAddress,
  brokerAnswers,
  brokerSettings,
  clusterSettings,
  requireJarsOrMaven,
  runningBrokerPid,
  startBrokers,
  stopBroker,
  type BrokerSettings,
} from './kafka-broker';
import { ensureTopics, waitForCoordinators } from './kafka-topics';
import { BUNDLE_DIR } from './build-services';
import { demoPidDir, stopLeftoverInstances } from './demo/instance-processes';
import { localDir } from './local-paths';
import { ensureManagedPostgres, managedPostgres, stopManagedPostgres } from './managed-postgres';
import {
  ensureServiceDatabases,
  existingServiceDatabases,
  postgresServerUrl,
  redacted,
  requirePostgres,
} from './postgres';
import { PrerequisiteError, requireJava } from './preflight';

const log = (line: string) => console.log(`[infra] ${line}`);

/** What `infraUp` did, so a caller can take down only what it started. */
export interface InfraUpResult {
  /** True when this call started a broker (false: they were running already). */
  readonly startedKafka: boolean;
  /** True when this call started the checkout's own PostgreSQL. */
  readonly startedPostgres: boolean;
  /** The Kafka bootstrap addresses to use (`KAFKA_BROKERS`). */
  readonly brokers: string[];
}

/** Told of each process `infraUp` starts, and whether it is a Kafka node or the checkout's PostgreSQL. */
export type OnSpawn = (pid: number, what: 'kafka' | 'postgres') => void;

/** How many Kafka nodes to run: 1 (the default), or a local cluster (`--brokers 3`). */
export interface InfraOptions {
  readonly brokers?: number;
}

/** The Kafka nodes of a run: the single broker, or the nodes of a local cluster. */
export function kafkaNodes(env: NodeJS.ProcessEnv, options: InfraOptions = {}): BrokerSettings[] {
  const count = options.brokers ?? 1;
  return count === 1 ? [brokerSettings(env)] : clusterSettings(count, env);
}

/**
 * Starts the checkout's own PostgreSQL unless `DATABASE_URL`/`PGHOST` name another server or it runs
 * already; resolves to whether this call started it.
 */
export async function postgresUp(env: NodeJS.ProcessEnv = process.env, onSpawn?: OnSpawn): Promise<boolean> {
  const cluster = managedPostgres(env);
  if (!cluster) return false;
  return (await ensureManagedPostgres(cluster, log, (pid) => onSpawn?.(pid, 'postgres'))).state === 'started';
}

/**
 * Brings the infrastructure up idempotently: checks prerequisites before starting anything, starts the
 * checkout's PostgreSQL (unless another server is named) and creates the service databases, starts the
 * broker (or the cluster's nodes) unless it answers already, and creates the topics.
 */
export async function infraUp(
  env: NodeJS.ProcessEnv = process.env,
  onSpawn?: OnSpawn,
  options: InfraOptions = {},
): Promise<InfraUpResult> {
  const nodes = kafkaNodes(env, options);
  const brokers = nodes.map(brokerAddress);
  const serverUrl = postgresServerUrl(env);

  // Every prerequisite is checked before anything is created or started.
  const ours = nodes.some((node) => runningBrokerPid(node) !== undefined);
  const foreign = !ours && (await brokerAnswers(brokers, 1500));
  if (!ours && !foreign) {
    requireJava(env);
    requireJarsOrMaven(nodes[0], env);
  }
  const startedPostgres = await postgresUp(env, onSpawn);
  let started: number[] = [];
  try {
    await requirePostgres(serverUrl);
    const { roles, created, converted } = await ensureServiceDatabases(serverUrl, env);
    const changes = [
      ...(roles.length ? [`created roles ${roles.join(', ')}`] : []),
      ...(created.length ? [`created ${created.join(', ')}`] : []),
      ...(converted.length ? [`gave ${converted.join(', ')} to their roles`] : []),
    ];
    log(
      `PostgreSQL ${redacted(serverUrl)}: ` +
        (changes.length ? changes.join('; ') : 'every service database exists, owned by its role'),
    );

    if (foreign) {
      log(`A Kafka broker not started by these scripts already answers on ${brokers.join(',')}; using it.`);
    } else {
      started = await startBrokers(nodes, log, (pid) => onSpawn?.(pid, 'kafka'));
    }
    const topics = await ensureTopics(brokers);
    log(topics.length ? `Created topics: ${topics.join(', ')}` : 'All topics exist.');
    await waitForCoordinators(brokers);
  } catch (error) {
    // Nothing this call started outlives its failure.
    for (const node of nodes) {
      const pid = runningBrokerPid(node);
      if (pid !== undefined && started.includes(pid)) await stopBroker(node, log, pid);
    }
    const cluster = managedPostgres(env);
    if (startedPostgres && cluster) await stopManagedPostgres(cluster, log);
    throw error;
  }
  if (nodes.length > 1) log(`A ${nodes.length}-node cluster: use KAFKA_BROKERS=${brokers.join(',')}`);
  return { startedKafka: started.length > 0, startedPostgres, brokers };
}

/** The nodes of a local cluster that has state under the local dir (its `node-<n>` folders). */
function clusterOnDisk(env: NodeJS.ProcessEnv): BrokerSettings[] {
  const root = join(localDir(env), 'kafka-cluster');
  const count = existsSync(root) ? readdirSync(root).filter((name) => /^node-\d+$/.test(name)).length : 0;
  return count > 0 ? clusterSettings(count, env) : [];
}

/**
 * Stops every broker these scripts started (by its pid): the single one and a cluster's nodes, and the
 * checkout's own PostgreSQL — and first any service instance a demo that died without stopping them
 * left (their pid files).
 */
export async function infraDown(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await stopLeftoverInstances(demoPidDir(env), BUNDLE_DIR, log);
  const cluster = managedPostgres(env);
  // All at once: a cluster's last node cannot shut down cleanly once the others are gone (no quorum).
  const [postgres, ...stopped] = await Promise.all([
    cluster ? stopManagedPostgres(cluster, log) : Promise.resolve(false),
    ...[brokerSettings(env), ...clusterOnDisk(env)].map((node) => stopBroker(node, log)),
  ]);
  if (!stopped.includes(true)) log('Kafka: not running (no live pid file); nothing to stop.');
  if (cluster && !postgres) log("PostgreSQL: this checkout's is not running; nothing to stop.");
}

/**
 * Forgets the whole local state at once — what `infra:down` stops, then the broker's log (single node and
 * cluster) and the checkout's PostgreSQL cluster — so that databases and log start empty together. A
 * server named by `DATABASE_URL`/`PGHOST` is not ours: its databases are left, and said so.
 */
export async function infraReset(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await infraDown(env);
  const root = localDir(env);
  const cluster = managedPostgres(env);
  const folders = [
    join(root, 'kafka', 'data'),
    join(root, 'kafka-cluster'),
    ...(cluster ? [cluster.dir] : []),
  ];
  for (const folder of folders.filter((path) => existsSync(path))) {
    rmSync(folder, { recursive: true, force: true });
    log(`Deleted ${folder}`);
  }
  if (!cluster) {
    log(
      `The service databases on ${redacted(postgresServerUrl(env))} are not this checkout's and were left ` +
        'alone: drop them there (DROP DATABASE order_service, …) so that they start empty with the new log.',
    );
  }
  log('Reset: the next infra:up starts with an empty log and empty databases.');
}

/** Prints what runs; resolves to true when everything is up. */
export async function infraStatus(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const single = brokerSettings(env);
  let answers = false;
  for (const node of [single, ...clusterOnDisk(env)]) {
    const pid = runningBrokerPid(node);
    const up = await brokerAnswers([brokerAddress(node)], 2000);
    if (node !== single && pid === undefined && !up) continue;
    answers = answers || up;
    const owner = pid === undefined ? 'not started by these scripts' : `pid ${pid}`;
    const what = node === single ? 'Kafka     ' : `Kafka n${node.nodeId}  `;
    log(`${what} ${brokerAddress(node)}: ${up ? 'answers' : 'does not answer'} (${owner})`);
  }

  const serverUrl = postgresServerUrl(env);
  const cluster = managedPostgres(env);
  const clusterPid = cluster && runningClusterPid(cluster);
  const owner = cluster
    ? clusterPid === undefined
      ? ' (not started from this checkout)'
      : ` (pid ${clusterPid}, data in ${cluster.dir})`
    : ' (DATABASE_URL/PGHOST: not ours)';
  let databases: string[] = [];
  try {
    databases = await existingServiceDatabases(serverUrl);
    const expected = PLATFORM_SERVICE_NAMES.map(databaseName);
    const missing = expected.filter((name) => !databases.includes(name));
    log(
      `PostgreSQL ${redacted(serverUrl)}: answers${owner}; ${missing.length ? `missing ${missing.join(', ')}` : 'every service database exists'}`,
    );
    return answers && missing.length === 0;
  } catch (error) {
    log(`PostgreSQL ${redacted(serverUrl)}${owner}: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { brokers: { type: 'string', default: '1' } },
  });
  switch (positionals[0]) {
    case 'up':
      await infraUp(process.env, undefined, { brokers: Number(values.brokers) });
      return 0;
    case 'down':
      await infraDown();
      return 0;
    case 'status':
      return (await infraStatus()) ? 0 : 3;
    case 'reset':
      await infraReset();
      return 0;
    default:
      console.error('usage: infra.ts up [--brokers N] | down | status | reset');
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        error instanceof PrerequisiteError ? error.message : error instanceof Error ? error.message : error,
      );
      process.exit(1);
    },
  );
}
