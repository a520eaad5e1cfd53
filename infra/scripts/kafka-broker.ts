import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '@saga/common';
import type { KafkaSecurity } from '@saga/platform/config/kafka-security';
import {
  redactScram,
  saslClientSecurity,
  scramFormatArgs,
  withSaslListener,
  type BrokerSasl,
} from './kafka-broker-sasl';
import { REPO_ROOT, localDir } from './local-paths';
import { javaCommand, requireJava, requireMaven } from './preflight';
import { isAlive, livePid, removePidFile, stopPid } from './processes';

const KAFKA_INFRA = join(REPO_ROOT, 'infra', 'kafka');

/** Where one local broker (a KRaft node) keeps its jars, config, data, logs and pid file. */
export interface BrokerSettings {
  /** The node's id in its cluster (1 alone). */
  readonly nodeId: number;
  /** Client port (PLAINTEXT listener). */
  readonly port: number;
  /** KRaft controller port. */
  readonly controllerPort: number;
  /** `controller.quorum.voters`: every node of the cluster, `id@host:controllerPort`, comma-separated. */
  readonly quorumVoters: string;
  /** Replicas of every topic (1 alone, 3 in a cluster). */
  readonly replicationFactor: number;
  /** Replicas that must have a record before an `acks=-1` write is acknowledged. */
  readonly minInsyncReplicas: number;
  /** State folder: `kafka/` under the local dir (a cluster: `kafka-cluster/node-<id>/`). */
  readonly home: string;
  /** The file holding the cluster id every node is formatted with. */
  readonly clusterIdFile: string;
  /** The broker's jars, fetched by Maven once (`KAFKA_LIB_DIR`); shared by every local dir. */
  readonly lib: string;
  /** Maximum Java heap, e.g. `512m`. */
  readonly heap: string;
  /** More JVM options, after the platform's own (`KAFKA_OPTS`, as Kafka's scripts read it). */
  readonly jvmOptions: readonly string[];
  /** How long the broker may take to answer an admin call after its start. */
  readonly startTimeoutMs: number;
  /**
   * SASL/SCRAM on the client port instead of PLAINTEXT (a test broker), its users created at format
   * time. Unset (`infra:up`, clusters, chaos), the broker speaks PLAINTEXT.
   */
  readonly sasl?: BrokerSasl;
}

/** Reads the single broker's settings from the environment (`KAFKA_PORT`, `KAFKA_CONTROLLER_PORT`, …). */
export function brokerSettings(env: NodeJS.ProcessEnv = process.env): BrokerSettings {
  const controllerPort = Number(env.KAFKA_CONTROLLER_PORT || 9093);
  const home = join(localDir(env), 'kafka');
  return {
    nodeId: 1,
    port: Number(env.KAFKA_PORT || 9092),
    controllerPort,
    quorumVoters: `1@127.0.0.1:${controllerPort}`,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    home,
    clusterIdFile: join(home, 'cluster-id'),
    ...sharedSettings(env),
  };
}

/**
 * The nodes of a local cluster of `size` KRaft nodes (`infra:up -- --brokers 3`): node n listens on
 * `KAFKA_CLUSTER_PORT` (9192) + 2(n-1) for clients and the port after it for the controller quorum, and
 * keeps its state under `kafka-cluster/node-<n>/`. Three nodes or more replicate every topic three times
 * with `min.insync.replicas=2` (docs/operations.md).
 */
export function clusterSettings(size: number, env: NodeJS.ProcessEnv = process.env): BrokerSettings[] {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`--brokers: expected a positive integer, got ${size}`);
  const base = Number(env.KAFKA_CLUSTER_PORT || 9192);
  const root = join(localDir(env), 'kafka-cluster');
  const nodes = Array.from({ length: size }, (_, i) => ({
    nodeId: i + 1,
    port: base + 2 * i,
    controllerPort: base + 2 * i + 1,
  }));
  const quorumVoters = nodes.map((node) => `${node.nodeId}@127.0.0.1:${node.controllerPort}`).join(',');
  const { replicationFactor, minInsyncReplicas } = durability(size);
  return nodes.map((node) => ({
    ...node,
    quorumVoters,
    replicationFactor,
    minInsyncReplicas,
    home: join(root, `node-${node.nodeId}`),
    clusterIdFile: join(root, 'cluster-id'),
    ...sharedSettings(env),
    heap: env.KAFKA_HEAP || '384m',
  }));
}

/**
 * Replication for a cluster of `brokers` nodes: three copies where there are three nodes, and a write
 * acknowledged by two of them, so one node can fail with no acknowledged record lost and no write refused.
 */
export function durability(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}

function sharedSettings(env: NodeJS.ProcessEnv) {
  return {
    lib: env.KAFKA_LIB_DIR ? resolve(env.KAFKA_LIB_DIR) : join(localDir({}), 'kafka-lib'),
    heap: env.KAFKA_HEAP || '512m',
    jvmOptions: (env.KAFKA_OPTS ?? '').split(/\s+/).filter(Boolean),
    startTimeoutMs: Number(env.KAFKA_START_TIMEOUT_MS || 90_000),
  };
}

/** How many nodes the settings' cluster has (its quorum voters). */
export const clusterSize = (settings: BrokerSettings) => settings.quorumVoters.split(',').length;

/** The broker's bootstrap address. */
export function brokerAddress(settings: BrokerSettings): string {
  return `127.0.0.1:${settings.port}`;
}

const paths = (settings: BrokerSettings) => ({
  lib: settings.lib,
  config: join(settings.home, 'server.properties'),
  data: join(settings.home, 'data'),
  logs: join(settings.home, 'logs'),
  pid: join(settings.home, 'kafka.pid'),
  clusterId: settings.clusterIdFile,
});

/** Fills the placeholders of infra/kafka/server.properties. */
export function renderServerProperties(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
    if (!(name in values)) {
      throw new Error(`server.properties: no value for ${placeholder}`);
    }
    return String(values[name]);
  });
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as `kafka-storage random-uuid`),
 * never starting with '-': the storage tool would read such an id as an option (Kafka's own
 * Uuid.randomUuid() avoids it for the same reason).
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The pid of the broker these scripts started, if it runs. */
export function runningBrokerPid(settings: BrokerSettings): number | undefined {
  // The broker's command line names its own server.properties: that is what makes a pid ours.
  return livePid(paths(settings).pid, paths(settings).config);
}

/**
 * Whether a broker answers an admin call at `brokers` within `timeoutMs` — and, when `clusterId` is
 * given, whether it belongs to that cluster (so a foreign broker on the port never counts as ours) and
 * sees at least `clusterSize` live brokers (a cluster node is ready once the whole cluster is).
 * `security`: the SASL/TLS settings of a broker that wants them.
 */
export async function brokerAnswers(
  brokers: readonly string[],
  timeoutMs = 3000,
  clusterId?: string,
  clusterSize = 1,
  security: KafkaSecurity = {},
): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    ...security,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return (
      cluster.brokers.length >= clusterSize && (clusterId === undefined || cluster.clusterId === clusterId)
    );
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const jarsStamp = (settings: BrokerSettings) => join(settings.lib, '.complete');

/** A digest of infra/kafka/pom.xml: the jars in the lib folder are valid only for the pom they came from. */
function pomDigest(): string {
  return createHash('sha256')
    .update(readFileSync(join(KAFKA_INFRA, 'pom.xml')))
    .digest('hex');
}

function jarsAreCurrent(settings: BrokerSettings): boolean {
  const stamp = jarsStamp(settings);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').startsWith(pomDigest());
}

/** Fails with a clear message when the jars still have to be fetched and Maven is missing. */
export function requireJarsOrMaven(settings: BrokerSettings, env: NodeJS.ProcessEnv = process.env): void {
  if (!jarsAreCurrent(settings)) {
    requireMaven(env);
  }
}

/** Fetches the Kafka jars with Maven into the shared lib folder, once. */
export function ensureJars(settings: BrokerSettings, log: (line: string) => void): string {
  const { lib } = paths(settings);
  if (jarsAreCurrent(settings)) {
    return lib;
  }
  requireMaven();
  // A fresh folder: jars of an older pom must not mix with the new ones on the class path.
  rmSync(lib, { recursive: true, force: true });
  log(`Fetching the Apache Kafka jars with Maven into ${lib} (once)…`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(KAFKA_INFRA, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${lib}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `Maven could not fetch the Kafka jars (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  writeFileSync(jarsStamp(settings), `${pomDigest()}\n${readdirSync(lib).join('\n')}`);
  return lib;
}

function java(settings: BrokerSettings, lib: string, mainClass: string, args: string[]) {
  const { logs } = paths(settings);
  return [
    `-Xms${settings.heap}`,
    `-Xmx${settings.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    ...settings.jvmOptions,
    `-Dlog4j.configuration=file:${join(KAFKA_INFRA, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${logs}`,
    '-cp',
    `${lib}/*`,
    mainClass,
    ...args,
  ];
}

/** Writes server.properties, formats the storage folder if it never was, and returns the cluster id. */
function prepareStorage(settings: BrokerSettings, lib: string, log: (line: string) => void): string {
  const p = paths(settings);
  mkdirSync(p.logs, { recursive: true });
  const template = readFileSync(join(KAFKA_INFRA, 'server.properties'), 'utf8');
  const properties = renderServerProperties(template, {
    NODE_ID: settings.nodeId,
    QUORUM_VOTERS: settings.quorumVoters,
    KAFKA_PORT: settings.port,
    CONTROLLER_PORT: settings.controllerPort,
    DATA_DIR: p.data,
    REPLICATION_FACTOR: settings.replicationFactor,
    MIN_INSYNC_REPLICAS: settings.minInsyncReplicas,
  });
  if (settings.sasl) {
    // The file holds the broker's SCRAM password: readable by its owner only.
    writeFileSync(p.config, withSaslListener(properties, settings.sasl, settings), { mode: 0o600 });
  } else {
    writeFileSync(p.config, properties);
  }
  const formatted = readMetaClusterId(join(p.data, 'meta.properties'));
  if (formatted) {
    return formatted;
  }
  // Every node of a cluster is formatted with the same id, kept in one file.
  const clusterId = existsSync(p.clusterId) ? readFileSync(p.clusterId, 'utf8').trim() : newClusterId();
  mkdirSync(dirname(p.clusterId), { recursive: true });
  writeFileSync(p.clusterId, clusterId);
  log(`Formatting Kafka storage in ${p.data} (cluster ${clusterId})…`);
  const result = spawnSync(
    javaCommand(),
    java(settings, lib, 'kafka.tools.StorageTool', [
      'format',
      '-t',
      clusterId,
      '-c',
      p.config,
      '--ignore-formatted',
      ...(settings.sasl ? scramFormatArgs(settings.sasl) : []),
    ]),
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `Formatting Kafka storage failed (exit ${result.status}):\n${redactScram(`${result.stdout}${result.stderr}`, settings.sasl)}`,
    );
  }
  return clusterId;
}

/** The cluster id a formatted storage folder belongs to (from its meta.properties). */
function readMetaClusterId(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
}

/** The last `lines` lines of the broker's logs, for a failure message. */
export function brokerLogTail(settings: BrokerSettings, lines = 40): string {
  const { logs } = paths(settings);
  return (
    ['server.log', 'stdout.log']
      .map((name) => join(logs, name))
      .filter((file) => existsSync(file) && readFileSync(file, 'utf8').trim() !== '')
      .map(
        (file) =>
          `--- ${file} (last ${lines} lines) ---\n${readFileSync(file, 'utf8')
            .split('\n')
            .slice(-lines - 1)
            .join('\n')}`,
      )
      .join('\n') || '(the broker wrote no log yet)'
  );
}

/**
 * Starts a broker in the background and waits until it answers an admin call. Returns `false` (and
 * starts nothing) when one of ours already runs. On failure or timeout the broker is stopped and the
 * error carries the tail of its log.
 */
export async function startBroker(
  settings: BrokerSettings,
  log: (line: string) => void,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<boolean> {
  return (await startBrokers([settings], log, onSpawn)).length > 0;
}

/**
 * Starts the nodes of a cluster that are not running yet, all at once (a KRaft node answers only once a
 * majority of the controller quorum is up), and waits until each answers and sees the whole cluster.
 * Returns the pids it started. On failure or timeout what it started is stopped, and the error carries
 * the tail of the failing node's log.
 */
export async function startBrokers(
  nodes: readonly BrokerSettings[],
  log: (line: string) => void,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<number[]> {
  mkdirSync(nodes[0].home, { recursive: true });
  const release = await acquireStartLock(nodes[0], log);
  try {
    return await startUnlocked(nodes, log, onSpawn);
  } finally {
    release();
  }
}

/**
 * Two `infra:up` runs at once (a test run and a demo, say) must not both start a JVM on one data
 * folder: the start is serialised by a lock file created exclusively; a lock whose holder died is stale.
 */
async function acquireStartLock(settings: BrokerSettings, log: (line: string) => void): Promise<() => void> {
  const lock = join(settings.home, 'start.lock');
  let announced = false;
  await waitFor(
    () => {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
        // An empty file is a lock being written this instant, unless it has been empty for a while.
        const stale = Number.isInteger(holder)
          ? !isAlive(holder)
          : Date.now() - statSync(lock).mtimeMs > 5000;
        if (stale) {
          rmSync(lock, { force: true });
        } else if (!announced) {
          announced = true;
          log(`Another run (pid ${holder}) is starting Kafka; waiting for it.`);
        }
        return undefined;
      }
    },
    { timeoutMs: settings.startTimeoutMs + 10_000, intervalMs: 200, what: `the start lock ${lock}` },
  );
  return () => rmSync(lock, { force: true });
}

/** Formats (if needed) and spawns one node, detached; returns its pid and the cluster id it must report. */
function spawnNode(settings: BrokerSettings, lib: string, log: (line: string) => void) {
  const p = paths(settings);
  const clusterId = prepareStorage(settings, lib, log);
  const out = openSync(join(p.logs, 'stdout.log'), 'a');
  const child = spawn(javaCommand(), java(settings, lib, 'kafka.Kafka', [p.config]), {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('Kafka could not be started: no pid');
  }
  child.unref();
  writeFileSync(p.pid, String(pid));
  log(`Kafka starting (pid ${pid}) on ${brokerAddress(settings)}; logs in ${p.logs}`);
  return { settings, pid, clusterId };
}

async function startUnlocked(
  nodes: readonly BrokerSettings[],
  log: (line: string) => void,
  onSpawn: (pid: number) => void,
): Promise<number[]> {
  const idle = nodes.filter((node) => {
    const running = runningBrokerPid(node);
    if (running !== undefined) {
      log(`Kafka is already running (pid ${running}) on ${brokerAddress(node)}; not starting another.`);
    }
    return running === undefined;
  });
  if (idle.length === 0) return [];
  requireJava();
  const lib = ensureJars(idle[0], log);
  const started: ReturnType<typeof spawnNode>[] = [];
  try {
    for (const node of idle) {
      started.push(spawnNode(node, lib, log));
      onSpawn(started[started.length - 1].pid);
    }
    for (const node of started) await waitUntilReady(node);
  } catch (error) {
    // Nothing this call started outlives its failure.
    for (const node of started) {
      if (isAlive(node.pid)) await stopPid(node.pid, 5000);
      removePidFile(paths(node.settings).pid);
    }
    throw error;
  }
  for (const node of started) log(`Kafka is ready on ${brokerAddress(node.settings)}.`);
  return started.map((node) => node.pid);
}

/**
 * Ready means: our process is alive and the broker answering is ours (same cluster id, not a foreign
 * one that happens to hold the port) and sees every node of its cluster.
 */
async function waitUntilReady({ settings, pid, clusterId }: ReturnType<typeof spawnNode>): Promise<void> {
  const security = saslClientSecurity(settings.sasl);
  const outcome = await waitFor(
    async () => {
      if (!isAlive(pid)) {
        return 'exited' as const;
      }
      const answers = await brokerAnswers(
        [brokerAddress(settings)],
        2000,
        clusterId,
        clusterSize(settings),
        security,
      );
      return answers ? ('ready' as const) : undefined;
    },
    {
      timeoutMs: settings.startTimeoutMs,
      intervalMs: 250,
      what: `Kafka to answer on ${brokerAddress(settings)}`,
    },
  ).catch(() => 'timed out' as const);
  if (outcome !== 'ready' || !isAlive(pid)) {
    const reason =
      outcome === 'timed out'
        ? `Kafka did not answer on ${brokerAddress(settings)} within ${settings.startTimeoutMs} ms and was stopped`
        : `Kafka (${brokerAddress(settings)}) exited during start-up`;
    throw new Error(`${reason}. The end of its log:\n${brokerLogTail(settings)}`);
  }
}

/**
 * Stops the broker these scripts started, by the pid in its pid file — or only if that pid is `onlyPid`
 * (a run stopping the broker it spawned itself). Returns whether one was running.
 */
export async function stopBroker(
  settings: BrokerSettings,
  log: (line: string) => void,
  onlyPid?: number,
): Promise<boolean> {
  const p = paths(settings);
  const pid = runningBrokerPid(settings);
  if (onlyPid !== undefined && pid !== onlyPid) {
    return false;
  }
  if (pid === undefined) {
    removePidFile(p.pid);
    return false;
  }
  const how = await stopPid(pid, 30_000);
  removePidFile(p.pid);
  log(
    `Kafka (pid ${pid}, ${brokerAddress(settings)}) stopped${how === 'killed' ? ' (killed after 30 s)' : ''}.`,
  );
  return true;
}

/**
 * Kills a node at once (SIGKILL: no controlled shutdown, no flush), as a crash would — for fault
 * injection. Returns its pid, or undefined when it was not running.
 */
export function killBroker(settings: BrokerSettings): number | undefined {
  const pid = runningBrokerPid(settings);
  if (pid !== undefined) process.kill(pid, 'SIGKILL');
  return pid;
}
