import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { allTopics } from '@saga/contracts';
import { waitFor } from '@saga/testing/wait-for';
import { REPO_ROOT, localDir } from './local-paths';
import { javaCommand, requireJava, requireMaven } from './preflight';
import { isAlive, livePid, removePidFile, stopPid } from './processes';

const KAFKA_INFRA = join(REPO_ROOT, 'infra', 'kafka');

/** Where one local broker keeps its jars, config, data, logs and pid file. */
export interface BrokerSettings {
  /** Client port (PLAINTEXT listener). */
  readonly port: number;
  /** KRaft controller port. */
  readonly controllerPort: number;
  /** State folder: `kafka/` under the local dir. */
  readonly home: string;
  /** The broker's jars, fetched by Maven once (`KAFKA_LIB_DIR`); shared by every local dir. */
  readonly lib: string;
  /** Maximum Java heap, e.g. `512m`. */
  readonly heap: string;
  /** How long the broker may take to answer an admin call after its start. */
  readonly startTimeoutMs: number;
}

/** Reads the broker settings from the environment (`KAFKA_PORT`, `KAFKA_CONTROLLER_PORT`, …). */
export function brokerSettings(env: NodeJS.ProcessEnv = process.env): BrokerSettings {
  return {
    port: Number(env.KAFKA_PORT || 9092),
    controllerPort: Number(env.KAFKA_CONTROLLER_PORT || 9093),
    home: join(localDir(env), 'kafka'),
    lib: env.KAFKA_LIB_DIR ? resolve(env.KAFKA_LIB_DIR) : join(localDir({}), 'kafka-lib'),
    heap: env.KAFKA_HEAP || '512m',
    startTimeoutMs: Number(env.KAFKA_START_TIMEOUT_MS || 90_000),
  };
}

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
  clusterId: join(settings.home, 'cluster-id'),
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

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as `kafka-storage random-uuid`). */
export function newClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** The pid of the broker these scripts started, if it runs. */
export function runningBrokerPid(settings: BrokerSettings): number | undefined {
  return livePid(paths(settings).pid);
}

/** Whether a broker answers an admin call at `brokers` within `timeoutMs`. */
export async function brokerAnswers(brokers: readonly string[], timeoutMs = 3000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const jarsStamp = (settings: BrokerSettings) => join(settings.lib, '.complete');

/** Fails with a clear message when the jars still have to be fetched and Maven is missing. */
export function requireJarsOrMaven(settings: BrokerSettings, env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(jarsStamp(settings))) {
    requireMaven(env);
  }
}

/** Fetches the Kafka jars with Maven into the shared lib folder, once. */
export function ensureJars(settings: BrokerSettings, log: (line: string) => void): string {
  const { lib } = paths(settings);
  const stamp = jarsStamp(settings);
  if (existsSync(stamp)) {
    return lib;
  }
  requireMaven();
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
  writeFileSync(stamp, readdirSync(lib).join('\n'));
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
    `-Dlog4j.configuration=file:${join(KAFKA_INFRA, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${logs}`,
    '-cp',
    `${lib}/*`,
    mainClass,
    ...args,
  ];
}

/** Writes server.properties and formats the storage folder if it has never been formatted. */
function prepareStorage(settings: BrokerSettings, lib: string, log: (line: string) => void): void {
  const p = paths(settings);
  mkdirSync(p.logs, { recursive: true });
  const template = readFileSync(join(KAFKA_INFRA, 'server.properties'), 'utf8');
  writeFileSync(
    p.config,
    renderServerProperties(template, {
      KAFKA_PORT: settings.port,
      CONTROLLER_PORT: settings.controllerPort,
      DATA_DIR: p.data,
    }),
  );
  if (existsSync(join(p.data, 'meta.properties'))) {
    return;
  }
  const clusterId = existsSync(p.clusterId) ? readFileSync(p.clusterId, 'utf8').trim() : newClusterId();
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
    ]),
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `Formatting Kafka storage failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
}

/** The last `lines` lines of the broker's logs, for a failure message. */
export function brokerLogTail(settings: BrokerSettings, lines = 40): string {
  const { logs } = paths(settings);
  return ['server.log', 'stdout.log']
    .map((name) => join(logs, name))
    .filter((file) => existsSync(file))
    .map(
      (file) =>
        `--- ${file} (last ${lines} lines) ---\n${readFileSync(file, 'utf8')
          .split('\n')
          .slice(-lines - 1)
          .join('\n')}`,
    )
    .join('\n');
}

/**
 * Starts a broker in the background and waits until it answers an admin call. Returns `false` (and
 * starts nothing) when one of ours already runs. On failure or timeout the broker is stopped and the
 * error carries the tail of its log.
 */
export async function startBroker(settings: BrokerSettings, log: (line: string) => void): Promise<boolean> {
  const p = paths(settings);
  const running = runningBrokerPid(settings);
  if (running !== undefined) {
    log(`Kafka is already running (pid ${running}) on ${brokerAddress(settings)}; not starting another.`);
    return false;
  }
  requireJava();
  const lib = ensureJars(settings, log);
  prepareStorage(settings, lib, log);

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

  const outcome = await waitFor(
    async () => {
      if (!isAlive(pid)) {
        return 'exited' as const;
      }
      return (await brokerAnswers([brokerAddress(settings)], 2000)) ? ('ready' as const) : undefined;
    },
    {
      timeoutMs: settings.startTimeoutMs,
      intervalMs: 250,
      what: `Kafka to answer on ${brokerAddress(settings)}`,
    },
  ).catch(() => 'timed out' as const);
  if (outcome !== 'ready') {
    if (isAlive(pid)) {
      await stopPid(pid, 5000);
    }
    removePidFile(p.pid);
    const reason =
      outcome === 'exited'
        ? 'Kafka exited during start-up'
        : `Kafka did not answer within ${settings.startTimeoutMs} ms and was stopped`;
    throw new Error(`${reason}. The end of its log:\n${brokerLogTail(settings)}`);
  }
  log(`Kafka is ready on ${brokerAddress(settings)}.`);
  return true;
}

/** Stops the broker these scripts started, by its pid. Returns whether one was running. */
export async function stopBroker(settings: BrokerSettings, log: (line: string) => void): Promise<boolean> {
  const p = paths(settings);
  const pid = runningBrokerPid(settings);
  if (pid === undefined) {
    removePidFile(p.pid);
    log('Kafka: not running (no live pid file); nothing to stop.');
    return false;
  }
  const how = await stopPid(pid, 30_000);
  removePidFile(p.pid);
  log(`Kafka (pid ${pid}) stopped${how === 'killed' ? ' (killed after 30 s)' : ''}.`);
  return true;
}

/**
 * Creates every topic of the registry that does not exist yet (partitions, cleanup policy). Retries
 * while a freshly started controller still settles, up to `timeoutMs`. Returns the topics created.
 */
export async function ensureTopics(brokers: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await waitFor(
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = allTopics().filter((topic) => !existing.has(topic.name));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic: topic.name,
              numPartitions: topic.partitions,
              replicationFactor: 1,
              configEntries: [{ name: 'cleanup.policy', value: topic.cleanupPolicy }],
            })),
          });
        }
        return missing.map((topic) => topic.name);
      },
      { timeoutMs, intervalMs: 250, what: 'the topics to be created' },
    );
  } finally {
    await admin.disconnect();
  }
}
